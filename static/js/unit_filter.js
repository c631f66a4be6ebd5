/* Type-to-filter for long <select data-filter="placeholder"> lists (the units of a prefecture).
 * Options are removed and restored rather than hidden, since mobile Safari ignores hidden options.
 * One match is selected at once.  Without JS the plain select still works. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-filter]").forEach(function (select) {
    var original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.placeholder = select.getAttribute("data-filter");
    box.setAttribute("aria-label", select.getAttribute("data-filter"));
    box.setAttribute("aria-controls", select.id);
    var note = document.createElement("small");
    note.className = "help select-filter-note";
    note.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(note, select.nextSibling);

    function contains(text, words) {
      text = text.toLowerCase();
      return words.every(function (w) { return text.indexOf(w) !== -1; });
    }

    box.addEventListener("input", function () {
      var chosen = select.value;
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var count = 0, last = null;
      select.textContent = "";
      original.forEach(function (node) {
        if (node.tagName === "OPTION") {  // the empty "——请选择——"
          if (!node.value || !words.length || contains(node.textContent, words)) select.appendChild(node.cloneNode(true));
          return;
        }
        var group = node.cloneNode(false);
        Array.prototype.forEach.call(node.children, function (option) {
          // A county's name finds all its units ("且末"); the label holds it too.
          if (!words.length || contains(option.textContent, words)) {
            group.appendChild(option.cloneNode(true));
            count += 1;
            last = option.value;
          }
        });
        if (group.children.length) select.appendChild(group);
      });
      if (words.length && count === 1) {
        select.value = last;
      } else {
        select.value = chosen;
        if (select.value !== chosen) select.value = "";
      }
      note.textContent = !words.length ? "" : count ? "找到 " + count + " 个单位" + (count === 1 ? "，已选中" : "，请在下方列表中选择")
        : "没有名称包含“" + box.value.trim() + "”的单位，请换个关键字，或联系单位人事部门";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
