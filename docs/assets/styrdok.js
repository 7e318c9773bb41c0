/* The metadata card (overrides/partials/styrdok-kort.html, styrdok): the rows the kommun marks
   kompakt show at once, the others behind "Visa alla uppgifter" — a button with aria-expanded, so
   keyboard and screen-reader users know and change its state. Without JavaScript every row shows;
   print shows every row (assets/styrdok.css). */
(function () {
  function init() {
    document.querySelectorAll(".styrdok-kort").forEach(function (card) {
      var button = card.querySelector(".styrdok-kort__visa");
      if (!button || button.dataset.klar) return;
      button.dataset.klar = "1";
      function show(all) {
        card.classList.toggle("styrdok-kort--kompakt", !all);
        button.setAttribute("aria-expanded", all ? "true" : "false");
      }
      button.addEventListener("click", function () {
        show(button.getAttribute("aria-expanded") !== "true");
      });
      show(false);
      button.hidden = false;
    });
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(init); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
