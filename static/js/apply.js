/* The applicant's section pages: autosave (server + this browser), rows, one-click "无",
 * uploads with a progress bar, confirmations.  Plain JS, no dependencies. */
(function () {
  "use strict";

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- one-click "无" -------------------------------------------------------------------------
  function addNoneButtons(root) {
    root.querySelectorAll("[data-none]").forEach(function (input) {
      if (input.dataset.noneReady) return;
      input.dataset.noneReady = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "none-button secondary outline small";
      button.textContent = "无";
      button.title = "没有可填写的内容时，一键填“无”";
      button.addEventListener("click", function () {
        input.value = "无";
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  // --- character counter (个人工作总结 ≤ N 字) ---------------------------------------------------
  function addCounters(root) {
    root.querySelectorAll("[data-max-chars]").forEach(function (area) {
      var max = parseInt(area.getAttribute("data-max-chars"), 10);
      var out = document.createElement("small");
      out.className = "char-count";
      area.insertAdjacentElement("afterend", out);
      function update() {
        var n = area.value.replace(/\s/g, "").length;
        out.textContent = "已写 " + n + " 字，上限 " + max + " 字";
        out.classList.toggle("field-error", n > max);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  // --- rows -----------------------------------------------------------------------------------
  function addRow(prefix, form) {
    var template = document.getElementById("empty-" + prefix);
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var container = form.querySelector("[data-rows='" + prefix + "']");
    if (!template || !total || !container) return null;
    var index = parseInt(total.value, 10) || 0;
    var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (max && index >= parseInt(max.value, 10)) {  // the server keeps no more rows than this
      var status = form.querySelector(".autosave-status");
      if (status) status.textContent = "本栏最多填写" + max.value + "行。";
      return null;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = container.lastElementChild;
    var legend = row.querySelector("legend");
    if (legend) legend.textContent = "第" + (index + 1) + "行";
    addNoneButtons(row);
    return row;
  }

  // --- autosave -------------------------------------------------------------------------------
  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var key = form.getAttribute("data-storage-key");
    var serverStamp = parseFloat(form.getAttribute("data-saved-stamp") || "0");
    var status = form.querySelector(".autosave-status");
    var timer = null;
    var saving = false;

    function say(text, bad) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("field-error", !!bad);
    }

    function snapshot() {
      var pairs = [];
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && typeof value === "string") pairs.push([name, value]);
      });
      return pairs;
    }

    function storeLocal() {
      if (!key || document.documentElement.hasAttribute("data-signing-out")) return;
      try {
        // ``base``: the server version this copy was typed on top of.  No clocks are compared:
        // the copy is put back only if the server has saved nothing newer since.
        // ``u``: whose copy it is (site.js drops copies of anyone else signed in on this browser).
        var owner = document.body.getAttribute("data-user") || "";
        localStorage.setItem(key, JSON.stringify({ base: serverStamp, t: Date.now(), u: owner, pairs: snapshot() }));
      } catch (e) { /* storage full or disabled: the server copy still works */ }
    }

    function restoreLocal() {
      if (!key) return;
      var saved;
      try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
      if (!saved || !saved.pairs) return;
      if (saved.base < serverStamp - 0.001 || JSON.stringify(saved.pairs) === JSON.stringify(snapshot())) {
        try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
        return;
      }
      // Rows first: the copy may have more rows than the page.
      saved.pairs.forEach(function (pair) {
        var m = pair[0].match(/^(.*)-TOTAL_FORMS$/);
        if (!m) return;
        var total = form.querySelector("input[name='" + pair[0] + "']");
        while (total && parseInt(total.value, 10) < parseInt(pair[1], 10)) {
          if (!addRow(m[1], form)) break;
        }
      });
      var seen = {};
      saved.pairs.forEach(function (pair) {
        var fields = form.querySelectorAll("[name='" + pair[0] + "']");
        fields.forEach(function (field) {
          if (field.type === "radio" || field.type === "checkbox") {
            if (!seen[pair[0]]) { fields.forEach(function (f) { f.checked = false; }); }
            if (field.value === pair[1]) field.checked = true;
          } else if (field.type !== "hidden" || /TOTAL_FORMS$/.test(pair[0])) {
            field.value = pair[1];
          }
        });
        seen[pair[0]] = true;
      });
      say("已恢复本机浏览器中未保存到服务器的内容（" + new Date(saved.t).toLocaleString("zh-CN") + "）。请核对后保存。");
      schedule();
    }

    function send() {
      if (!url) return;
      if (saving) { schedule(); return; }
      saving = true;
      var body = new FormData(form);
      fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(form), "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
        redirect: "manual"
      }).then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (response.type === "opaqueredirect" || response.status === 403 || type.indexOf("json") < 0) {
          say("登录已过期或网络中断：内容已保存在本机浏览器，重新登录后打开本页即可恢复。", true);
          return null;
        }
        return response.json().then(function (data) {
          if (!data.ok) { say(data.message || "未能保存", true); return; }
          serverStamp = data.stamp;
          try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
          say("已自动保存 " + data.saved_at + (data.complete ? "（本栏已填写完整）" : "（草稿，尚未填写完整）"));
        });
      }).catch(function () {
        say("网络中断：内容已保存在本机浏览器，恢复网络后会自动保存。", true);
      }).finally(function () { saving = false; });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(send, 1500);
    }

    form.addEventListener("input", function () { storeLocal(); schedule(); });
    form.addEventListener("change", function () { storeLocal(); schedule(); });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      storeLocal();  // kept until the server confirms a save (the next page load compares stamps)
    });
    window.addEventListener("beforeunload", function () { if (timer) storeLocal(); });
    restoreLocal();
  }

  // --- uploads with progress ------------------------------------------------------------------
  // After the upload, the worker re-encodes the image (or converts a PDF's pages) and makes the
  // thumbnail: the item shows "处理中" and is replaced by the finished one when the worker is done.
  function watchProcessing(root) {
    root.querySelectorAll("li.att[data-processing=pending]").forEach(function (item) {
      if (item.getAttribute("data-watched")) return;
      item.setAttribute("data-watched", "1");
      var url = item.getAttribute("data-status-url");
      var polls = 0;
      function poll() {
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            if (data.processing_status === "pending") {
              if (++polls < 80) setTimeout(poll, polls < 10 ? 1000 : 3000);
              return;
            }
            var list = item.parentElement;
            item.insertAdjacentHTML("afterend", data.html);
            item.remove();
            if (list) watchProcessing(list);
          }).catch(function () { if (++polls < 80) setTimeout(poll, 3000); });
      }
      setTimeout(poll, 800);
    });
  }

  function setupUpload(form) {
    // On a phone, choosing the photo is the upload: no second button to find.
    var picker = form.querySelector("input[type=file]");
    form.classList.add("js-auto");
    picker.addEventListener("change", function () {
      if (picker.files.length) form.requestSubmit();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var input = form.querySelector("input[type=file]");
      var bar = form.querySelector("progress");
      var error = form.querySelector(".upload-error");
      var button = form.querySelector("button[type=submit]");
      if (!input.files.length) { error.textContent = "请选择要上传的文件。"; error.hidden = false; return; }
      error.hidden = true;
      var body = new FormData(form);  // before disabling the picker: disabled inputs are not sent
      bar.hidden = false; bar.value = 0;
      button.disabled = true; button.textContent = "上传中…";
      picker.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total); };
      xhr.onload = function () {
        button.disabled = false; button.textContent = "上传"; picker.disabled = false;
        bar.hidden = true;
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (!data) { error.textContent = "登录已过期或服务器无响应，请刷新页面后重试。"; error.hidden = false; return; }
        if (!data.ok) { error.textContent = data.message; error.hidden = false; return; }
        var list = form.parentElement.querySelector(".att-list");
        list.insertAdjacentHTML("beforeend", data.html);
        watchProcessing(list);
        input.value = "";
        var count = form.parentElement.querySelector(".count");
        if (count) count.textContent = count.textContent.replace(/已上传 (\d+)/, function (m, n) { return "已上传 " + (parseInt(n, 10) + 1); });
        form.parentElement.classList.remove("missing");
      };
      xhr.onerror = function () {
        button.disabled = false; button.textContent = "上传"; bar.hidden = true; picker.disabled = false;
        error.textContent = "网络中断，上传未完成，请重试。"; error.hidden = false;
      };
      xhr.send(body);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    addNoneButtons(document);
    addCounters(document);
    document.querySelectorAll("[data-add-row]").forEach(function (button) {
      button.addEventListener("click", function () {
        var row = addRow(button.getAttribute("data-add-row"), button.form || button.closest("form"));
        if (row) {
          var first = row.querySelector("input, select, textarea");
          if (first) first.focus();
          row.closest("form").dispatchEvent(new Event("change"));
        }
      });
    });
    document.querySelectorAll("form.section-form").forEach(setupAutosave);
    document.querySelectorAll("form.upload-form").forEach(setupUpload);
    watchProcessing(document);
  });
})();
