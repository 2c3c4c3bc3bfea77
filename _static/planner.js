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

  function allocationPlan(entry, c) {
    var n = Math.exp(entry.log_k + entry.a * Math.log(c));
    return { n: n, d: c / (6.0 * n), loss: null };
  }

  function parseBudget(text) {
    var t = String(text).trim().replace(/\s+/g, "").replace(/[×x]10\^?/i, "e");
    if (t === "") {
      return { error: "Type a compute budget in FLOPs, e.g. 5.76e23." };
    }
    if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
      return { error: "The budget must be a number of FLOPs such as 1e22 or 5.76e23, not \u201c" + text + "\u201d." };
    }
    var c = Number(t);
    if (!isFinite(c) || c <= 0) {
      return { error: "The budget must be a positive, finite number of FLOPs, e.g. 5.76e23." };
    }
    return { value: c };
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
    var message = root.querySelector("#planner-message");
    var table = root.querySelector("#planner-results");
    var body = table.querySelector("tbody");
    var parsed = parseBudget(input.value);
    body.textContent = "";
    if (parsed.error) {
      message.textContent = parsed.error;
      message.className = "planner-message planner-error";
      table.hidden = true;
      return;
    }
    var c = parsed.value;
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
  }

  window.chinchillaPlanner = { lawPlan: lawPlan, allocationPlan: allocationPlan, parseBudget: parseBudget };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
