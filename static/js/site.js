/* Behaviour every page shares, loaded by base.html.  The portal's Content-Security-Policy allows
 * scripts from this site only (no inline handlers), so markup asks for behaviour with data-*
 * attributes and this file wires it up:
 *   data-autosubmit      a <select> that submits its form when changed (a <noscript> button remains)
 *   data-select-all="n"  a checkbox that ticks every checkbox named n in its form
 *   data-print           a button that opens the print dialog
 *   data-history-back    a link that goes back one page (its href is the way without JS)
 *   data-confirm="…"     a button that asks before it acts (once: a double click asks once)
 *   form.logout-form     signing out also removes this browser's copies of unsaved drafts; signing
 *                        in as someone else removes the copies of the one before
 *   [data-large-text]    the 大字模式 switch: larger text, higher contrast, kept in a cookie
 * Every form, once sent, shows its button busy (aria-busy) and refuses to be sent twice.  A click
 * on a date field opens its calendar (its calendar button is hidden: see portal.css).  On load,
 * focus goes to the page's message (what a save said) so that keyboard and screen-reader users
 * meet it first, and a table wider than its box becomes a focusable, named scrolling region.
 */
(function () {
  "use strict";

  // Keys under which apply.js keeps a copy of unsaved drafts (ID number, phone…): a shared
  // computer must not keep them once their owner signs out.
  var DRAFT_PREFIXES = ["apply:", "profile:"];

  // ``keep(value)``: whether a copy stays; without it every copy goes.
  function clearDrafts(keep) {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && DRAFT_PREFIXES.some(function (p) { return key.indexOf(p) === 0; })
            && !(keep && keep(localStorage.getItem(key)))) {
          localStorage.removeItem(key);
        }
      }
    } catch (e) { /* storage disabled: nothing was kept */ }
  }

  // A session that ended without 退出 (it expired, the browser was closed) leaves its copies for
  // its owner to recover after signing in again; anyone else who signs in here removes them.
  var signedIn = document.body.getAttribute("data-user");
  if (signedIn) {
    clearDrafts(function (value) {
      try { return String(JSON.parse(value).u) === signedIn; } catch (e) { return false; }
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
    if (target.matches && target.matches("input[data-select-all]")) {
      var scope = target.form || document;
      var name = target.getAttribute("data-select-all");
      scope.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
        if (!box.disabled) box.checked = target.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
    var date = event.target.matches && event.target.matches("input[type=date], input[type=month], input[type=time]");
    if (date && !event.target.readOnly && !event.target.disabled && event.target.showPicker) {
      try { event.target.showPicker(); } catch (e) { /* not allowed here: the date can be typed */ }
    }
    var back = event.target.closest && event.target.closest("a[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // --- confirmations and double clicks ------------------------------------------------------
  // A double click is two clicks: without the guard the second asks again while the first is
  // already being sent.  A form being sent answers no further click; a confirm just answered
  // covers the clicks queued behind it.
  var answeredAt = 0;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (!button) return;
    var form = button.form;
    if ((form && form.hasAttribute("data-sending")) || Date.now() - answeredAt < 600) {
      event.preventDefault();
      return;
    }
    var ok = window.confirm(button.getAttribute("data-confirm"));
    answeredAt = Date.now();
    if (!ok) event.preventDefault();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || form.matches("form.upload-form")) return;
    if (form.hasAttribute("data-sending")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "1");
    // The button stays enabled (a disabled submitter would drop its name=value from the form):
    // aria-busy shows Pico's spinner and tells assistive technology the page is working.
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (button) button.setAttribute("aria-busy", "true");
    // A page kept in the back-forward cache comes back with the form sendable again.
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sending");
      if (button) button.removeAttribute("aria-busy");
    }, { once: true });
  });

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form.logout-form")) {
      // apply.js stores a pending draft when the page unloads; it checks this mark first.
      document.documentElement.setAttribute("data-signing-out", "1");
      clearDrafts();
    }
  });

  // --- 大字模式 -------------------------------------------------------------------------------
  var LARGE_TEXT_COOKIE = "portal_large_text";

  function setLargeText(on) {
    document.documentElement.classList.toggle("large-text", on);
    document.cookie = LARGE_TEXT_COOKIE + "=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
    document.querySelectorAll("[data-large-text]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    markScrollingRegions();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-large-text]");
    if (button) setLargeText(!document.documentElement.classList.contains("large-text"));
  });

  // --- scrolling regions --------------------------------------------------------------------
  function regionName(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var node = wrap;
    while (node) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
      if (node && /^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    return "表格";
  }

  function markScrollingRegions() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", regionName(wrap) + "（可左右滚动）");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-large-text]").forEach(function (button) { button.hidden = false; });
    markScrollingRegions();
    window.addEventListener("resize", markScrollingRegions);
    var messages = document.querySelector("main .messages");
    if (messages && !document.querySelector("[autofocus]")) messages.focus();
  });
})();
