/* Search results: show formulas as plain text, not LaTeX source.
 *
 * Sphinx builds each result's snippet from the page's HTML, where a formula is still its LaTeX
 * source (MathJax typesets it only on the page itself), so snippets read like "\(N_{opt}\)".  This
 * rewrites every formula of the fetched page as readable text ("N_opt") before Sphinx cuts the
 * snippet.
 */
(function () {
  "use strict";
  var GREEK = { alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", tau: "τ",
    phi: "φ", chi: "χ", psi: "ψ", omega: "ω", Delta: "Δ", Sigma: "Σ", Omega: "Ω", Gamma: "Γ",
    propto: "∝", approx: "≈", times: "×", cdot: "·", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠",
    neq: "≠", to: "→", rightarrow: "→", infty: "∞", pm: "±", log: "log", ln: "ln", exp: "exp",
    min: "min", max: "max", sum: "Σ", partial: "∂", ldots: "…", dots: "…", cdots: "…" };

  function plainMath(tex) {
    var t = tex.replace(/^\s*(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)\s*$/, "");
    for (var i = 0; i < 5; i++) {
      t = t.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
           .replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)")
           .replace(/\\(?:mathrm|mathit|mathbf|text|operatorname|textrm|mathcal)\s*\{([^{}]*)\}/g, "$1");
    }
    t = t.replace(/\\([A-Za-z]+)/g, function (m, name) { return GREEK.hasOwnProperty(name) ? GREEK[name] : ""; })
         .replace(/\\[,;:!> ]/g, " ")
         .replace(/\\\\/g, " ")
         .replace(/([_^])\{([^{}]*)\}/g, "$1$2")
         .replace(/[{}$]/g, "")
         .replace(/\\/g, "")
         .replace(/\s+/g, " ");
    return t.trim();
  }

  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText._plainMath) { return; }
    var original = Search.htmlToText;
    var wrapped = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".math, span.math, div.math, .MathJax_Preview").forEach(function (el) {
        el.textContent = " " + plainMath(el.textContent) + " ";
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
    wrapped._plainMath = true;
    Search.htmlToText = wrapped;
  }

  window.chinchillaPlainMath = plainMath;
  patch();
  document.addEventListener("DOMContentLoaded", patch);
}());
