/* The article form: the preview shows the article when the form opens
   (after 保存 too) and follows the text after a pause in typing; photos
   pasted or dropped into the text are uploaded and inserted as Markdown at
   the cursor.  Plain ES5 for old browsers; without it the form
   still works with its 预览 and 保存 buttons. */
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var body = document.getElementById("f-body");
  var frame = document.getElementById("preview");
  var status = document.getElementById("upload-status");
  var pick = document.getElementById("image-pick");
  var timer = null;
  var asked = 0;

  function post(url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.timeout = 60000;
    xhr.onload = function () { done(xhr.status, xhr.responseText); };
    xhr.onerror = xhr.ontimeout = function () { done(0, ""); };
    xhr.send(data);
  }

  function refresh() {
    var mine = ++asked;
    var data = new FormData(form);
    data.delete("do");
    post("/admin/articles/preview", data, function (code, text) {
      if (mine !== asked) { return; }  /* a newer preview is on its way */
      if (code === 200) { frame.srcdoc = text; frame.setAttribute("data-shown", String(mine)); }
    });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 300);
  }

  function say(text) { status.textContent = text; }

  function insert(markdown) {
    var start = body.selectionStart, end = body.selectionEnd, value = body.value;
    var before = value.slice(0, start), after = value.slice(end);
    var text = (before && before.slice(-1) !== "\n" ? "\n" : "") + markdown + "\n";
    body.value = before + text + after;
    body.selectionStart = body.selectionEnd = start + text.length;
    body.focus();
    later();
  }

  function isImage(file) {  /* a HEIC photo may come without a type */
    return /^image\//.test(file.type) || /\.(heic|heif)$/i.test(file.name || "");
  }

  function upload(file) {
    if (!isImage(file)) { say("“" + file.name + "”不是图片，没有上传。"); return; }
    var data = new FormData();
    data.append("csrf", form.elements.csrf.value);
    data.append("folder", form.elements.folder.value);
    data.append("image", file, file.name || "image");
    say("正在上传照片……");
    post("/admin/articles/upload", data, function (code, text) {
      var reply = {};
      try { reply = JSON.parse(text); } catch (e) { reply = {}; }
      if (code === 200 && reply.markdown) { insert(reply.markdown); say("照片已上传：" + reply.file); }
      else if (code === 413) { say("照片太大，没有上传（最大 20 MB）。"); }
      else { say(reply.message || "照片没有上传成功，请再试一次。"); }
    });
  }

  function images(list) {
    var found = [];
    for (var i = 0; list && i < list.length; i++) {
      if (isImage(list[i])) { found.push(list[i]); }
    }
    return found;
  }

  body.addEventListener("paste", function (event) {
    var found = images(event.clipboardData && event.clipboardData.files);
    if (!found.length) { return; }
    event.preventDefault();
    found.forEach(upload);
  });
  body.addEventListener("dragover", function (event) { event.preventDefault(); });
  body.addEventListener("drop", function (event) {
    var found = images(event.dataTransfer && event.dataTransfer.files);
    if (!found.length) { return; }
    event.preventDefault();
    found.forEach(upload);
  });
  if (pick) {
    pick.addEventListener("change", function () {
      images(pick.files).forEach(upload);
      pick.value = "";
    });
  }
  form.addEventListener("input", function (event) {
    if (event.target !== pick) { later(); }
  });
  if (body.value.replace(/\s/g, "")) { refresh(); }
}());
