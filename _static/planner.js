/* The in-page planner: compute-optimal N, D, D/N and loss for a budget C, in the browser.
 *
 * The same closed forms as chinchilla_lib (laws.frontier, ParametricLaw.optimal_loss, and the
 * named allocations of studies.allocations), with the constants exported when the book is built
 * (studies.closed_forms.planner_constants) into <script id="planner-constants">.
 *   N_opt = G (C/6)^(beta/(alpha+beta)),  D_opt = (C/6)^(alpha/(alpha+beta)) / G,
 *   G = (alpha A / (beta B))^(1/(alpha+beta))                     (Hoffmann et al. 2022, Eq. 4)
 *   L_opt = E + (A G^-alpha + B G^beta) (C/6)^(-alpha beta/(alpha+beta))
 *   allocations: N_opt = exp(log_k + a ln C),  D_opt = C / (6 N_opt)
 */
(function () {
  "use strict";

  function lawPlan(law, c) {
    var total = law.alpha + law.beta;
    var logC6 = Math.log(c / 6.0);
    var logG = (Math.log(law.alpha) + Math.log(law.A) - Math.log(law.beta) - Math.log(law.B)) / total;
    var n = Math.exp(logG + logC6 * law.beta / total);
    var d = Math.exp(logC6 * law.alpha / total - logG);
    var g = Math.exp(logG);
    var k = law.A * Math.pow(g, -law.alpha) + law.B * Math.pow(g, law.beta);
    var loss = law.E + k * Math.pow(c / 6.0, -(law.alpha * law.beta / total));
    return { n: n, d: d, loss: loss };
  }

  /* Sized for inference too (Sardana et al. 2023; chinchilla_lib.inference.inference_optimum with
   * flops=C): keep the loss of the compute-optimal model at C and minimise 6 N D + 2 N T, solved in
   * w = log g as the library does (bisection here, Brent's method there; both to full precision). */
  function inferencePlan(law, c, tokens) {
    var co = lawPlan(law, c);
    var coPlan = { n: co.n, d: co.d, loss: lossOf(law, co.n, co.d) };
    coPlan.train = 6.0 * co.n * co.d;
    coPlan.total = coPlan.train + 2.0 * co.n * tokens;
    if (tokens === 0) { return { best: coPlan, co: coPlan, saving: 0 }; }
    var reducible = coPlan.loss - law.E;
    var ratio = law.beta / law.alpha;
    var logV = function (w) { return -Math.log1p(ratio * (1.0 + Math.exp(w))); };
    var logD = function (w) { return (Math.log(law.B) - Math.log(reducible) - logV(w)) / law.beta; };
    var h = function (w) { return Math.log(6.0) + logD(w) + w - Math.log(2.0 * tokens); };
    var hi = Math.log(2.0 * tokens) - Math.log(6.0) - logD(-745.0);
    var lo = hi - 1.0;
    while (h(lo) >= 0) { lo -= 2.0 * (hi - lo); }
    for (var i = 0; i < 400 && hi - lo > 1e-15 * Math.max(1.0, Math.abs(lo)); i++) {
      var mid = 0.5 * (lo + hi);
      if (h(mid) < 0) { lo = mid; } else { hi = mid; }
    }
    var w = 0.5 * (lo + hi);
    var log1mv = Math.log(ratio * (1.0 + Math.exp(w))) + logV(w);
    var n = Math.exp((Math.log(law.A) - Math.log(reducible) - log1mv) / law.alpha);
    var d = Math.exp(logD(w));
    var best = { n: n, d: d, loss: lossOf(law, n, d), train: 6.0 * n * d };
    best.total = best.train + 2.0 * n * tokens;
    if (best.total > coPlan.total || n > co.n) { best = coPlan; }
    return { best: best, co: coPlan, saving: (coPlan.total - best.total) / coPlan.total };
  }

  function lossOf(law, n, d) {
    return law.E + law.A / Math.pow(n, law.alpha) + law.B / Math.pow(d, law.beta);
  }

  function allocationPlan(entry, c) {
    var n = Math.exp(entry.log_k + entry.a * Math.log(c));
    return { n: n, d: c / (6.0 * n), loss: entry.law ? lawPlan(entry.law, c).loss : null };
  }

  function parseNumber(text) {
    var t = String(text).trim().replace(/\s+/g, "").replace(/[×x]10\^?/i, "e");
    if (t === "") { return { empty: true }; }
    if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) { return { bad: true }; }
    var v = Number(t);
    return isFinite(v) ? { value: v } : { bad: true };
  }

  function parseBudget(text) {
    var p = parseNumber(text);
    if (p.empty) { return { error: "Type a compute budget in FLOPs, e.g. 5.76e23." }; }
    if (p.bad) {
      return { error: "The budget must be a number of FLOPs such as 1e22 or 5.76e23, not \u201c" + text + "\u201d." };
    }
    if (p.value <= 0) {
      return { error: "The budget must be a positive, finite number of FLOPs, e.g. 5.76e23." };
    }
    return { value: p.value };
  }

  function parseTokens(text) {
    var p = parseNumber(text);
    if (p.empty) { return { value: null }; }
    if (p.bad || p.value < 0) {
      return { error: "Inference tokens must be a number >= 0 such as 2e12 (or left empty), not \u201c" + text + "\u201d." };
    }
    return { value: p.value };
  }

  function fmt(x) {
    if (x === null || x === undefined) { return "\u2014"; }
    if (Math.abs(x) >= 1e4) {
      var p = x.toExponential(3).split("e");
      return p[0] + "\u00d710" + p[1].replace("+", "").replace(/^(-?)/, "$1").split("").map(function (ch) {
        return { "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074", "5": "\u2075",
                 "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079", "-": "\u207b" }[ch];
      }).join("");
    }
    return x.toPrecision(4);
  }

  function cell(row, value, key) {
    var td = document.createElement("td");
    td.textContent = fmt(value);
    if (value !== null && value !== undefined) { td.setAttribute("data-value", String(value)); }
    td.setAttribute("data-key", key);
    row.appendChild(td);
  }

  function render(root, constants) {
    var input = root.querySelector("#planner-flops");
    var tokensInput = root.querySelector("#planner-tokens");
    var message = root.querySelector("#planner-message");
    var table = root.querySelector("#planner-results");
    var inferenceTable = root.querySelector("#planner-inference");
    var body = table.querySelector("tbody");
    var parsed = parseBudget(input.value);
    body.textContent = "";
    if (inferenceTable) { inferenceTable.querySelector("tbody").textContent = ""; inferenceTable.hidden = true; }
    if (parsed.error) {
      message.textContent = parsed.error;
      message.className = "planner-message planner-error";
      table.hidden = true;
      return;
    }
    var c = parsed.value;
    var tokens = parseTokens(tokensInput ? tokensInput.value : "");
    if (tokens.error) {
      message.textContent = tokens.error;
      message.className = "planner-message planner-error";
      table.hidden = true;
      if (inferenceTable) { inferenceTable.hidden = true; }
      return;
    }
    var rows = constants.laws.map(function (law) { return [law, lawPlan(law, c)]; })
      .concat(constants.allocations.map(function (e) { return [e, allocationPlan(e, c)]; }));
    var tooSmall = rows.some(function (r) { return r[1].n < 1 || r[1].d < 1; });
    if (tooSmall) {
      message.textContent = "A budget of " + c + " FLOPs buys less than one parameter or one token; give it in FLOPs (one PF-day is 8.64e19 FLOPs).";
      message.className = "planner-message planner-error";
      table.hidden = true;
      return;
    }
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-law", r[0].name);
      var th = document.createElement("th");
      th.textContent = r[0].name;
      th.title = r[0].source;
      tr.appendChild(th);
      cell(tr, r[1].n, "n_params");
      cell(tr, r[1].d, "n_tokens");
      cell(tr, r[1].d / r[1].n, "tokens_per_param");
      cell(tr, r[1].loss, "loss");
      body.appendChild(tr);
    });
    message.textContent = c < constants.unit_warning_below
      ? "That budget is below 1e12 FLOPs: is it in PF-days? The plan below takes it as FLOPs."
      : "At C = " + fmt(c) + " FLOPs (C = 6ND):";
    message.className = "planner-message";
    table.hidden = false;
    if (inferenceTable && tokens.value !== null) {
      var ibody = inferenceTable.querySelector("tbody");
      constants.laws.forEach(function (law) {
        var r = inferencePlan(law, c, tokens.value);
        var tr = document.createElement("tr");
        tr.setAttribute("data-law", law.name);
        var th = document.createElement("th");
        th.textContent = law.name;
        tr.appendChild(th);
        cell(tr, r.best.n, "n_params");
        cell(tr, r.best.d, "n_tokens");
        cell(tr, r.best.d / r.best.n, "tokens_per_param");
        cell(tr, r.best.total, "total_flops");
        cell(tr, r.co.total, "compute_optimal.total_flops");
        cell(tr, r.saving, "saving");
        ibody.appendChild(tr);
      });
      inferenceTable.hidden = false;
    }
  }

  function start() {
    var root = document.getElementById("chinchilla-planner");
    var data = document.getElementById("planner-constants");
    if (!root || !data) { return; }
    var constants = JSON.parse(data.textContent);
    var input = root.querySelector("#planner-flops");
    var update = function () { render(root, constants); };
    root.querySelector("form").addEventListener("submit", function (ev) { ev.preventDefault(); update(); });
    input.addEventListener("change", update);
    input.addEventListener("keyup", function (ev) { if (ev.key === "Enter") { update(); } });
    var tokensInput = root.querySelector("#planner-tokens");
    if (tokensInput) { tokensInput.addEventListener("change", update); }
  }

  window.chinchillaPlanner = { lawPlan: lawPlan, allocationPlan: allocationPlan, inferencePlan: inferencePlan,
                               parseBudget: parseBudget, parseTokens: parseTokens };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
