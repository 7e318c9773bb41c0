/* Filters for the kvalitetsplan table (styrdok): show only the rows of one process and/or one
   ansvarig. Merged cells (rowspan) are moved to the first visible row of their group and their
   span recounted, so the grouping stays right while filtered. No server, no dependencies. */
(function () {
  function apply(box) {
    var table = box.querySelector("table");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var want = {};
    box.querySelectorAll("select[data-filter]").forEach(function (s) { want[s.dataset.filter] = s.value; });
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (!want.process || r.dataset.process === want.process) &&
               (!want.ansvarig || r.dataset.ansvarig === want.ansvarig);
      r.hidden = !ok;
      if (ok) shown++;
    });
    var spans = box._spans || (box._spans = Array.prototype.slice.call(table.querySelectorAll("[data-span]")));
    spans.forEach(function (c) { if (c.parentNode) c.parentNode.removeChild(c); });
    ["rgroup", "pgroup"].forEach(function (level) {
      var groups = {};
      spans.filter(function (c) { return c.dataset.level === level; }).forEach(function (c) {
        (groups[c.dataset.span] = groups[c.dataset.span] || []).push(c);
      });
      Object.keys(groups).forEach(function (key) {
        var members = rows.filter(function (r) { return r.dataset[level] === key && !r.hidden; });
        if (!members.length) return;
        groups[key].slice().reverse().forEach(function (c) {
          c.rowSpan = members.length;
          members[0].insertBefore(c, members[0].firstChild);
        });
      });
    });
    var out = box.querySelector("output");
    if (out) out.textContent = shown + " av " + rows.length + " åtgärder visas.";
  }
  function init() {
    document.querySelectorAll(".styrdok-kvalitetsplan").forEach(function (box) {
      box.querySelectorAll("select[data-filter]").forEach(function (s) {
        s.addEventListener("change", function () { apply(box); });
      });
    });
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(init); }
  else if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
