/* A form's photo fields: a photo picked is uploaded at once (named after the
   person in the form's 姓名 or 带头人, if filled in), and the field then holds its
   place, photos/<name>, and shows it.  Plain ES5 for old browsers; without
   it the field's text can still be typed. */
(function () {
  "use strict";
  if (!window.FormData || !window.XMLHttpRequest || !document.querySelectorAll) { return; }

  function upload(pick) {
    var field = document.getElementById(pick.getAttribute("data-photo-for"));
    var shown = document.getElementById(field.id + "-preview");
    var status = document.getElementById(field.id + "-status");
    var person = "", ids = pick.getAttribute("data-name-from").split(" ");
    for (var i = 0; i < ids.length && !person; i++) {
      var beside = document.getElementById(ids[i]);
      person = beside ? beside.value : "";
    }
    var file = pick.files && pick.files[0];
    if (!file || !field.form || !field.form.elements.csrf) { return; }
    var data = new FormData();
    data.append("csrf", field.form.elements.csrf.value);
    data.append("name", person);
    data.append("image", file, "photo");
    status.textContent = "正在上传照片……";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/admin/photo/upload");
    xhr.timeout = 60000;
    xhr.onload = function () {
      var reply = {};
      try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = {}; }
      if (xhr.status === 200 && reply.value) {
        field.value = reply.value;
        shown.src = reply.preview;
        shown.hidden = false;
        status.textContent = "照片已上传：" + reply.value + "（点“保存”后生效）";
      } else if (xhr.status === 413) {
        status.textContent = "照片太大，没有上传（最大 20 MB）。";
      } else {
        status.textContent = reply.message || "照片没有上传成功，请再试一次。";
      }
    };
    xhr.onerror = xhr.ontimeout = function () { status.textContent = "照片没有上传成功，请再试一次。"; };
    xhr.send(data);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var picks = document.querySelectorAll("input[type=file][data-photo-for]");
    for (var i = 0; i < picks.length; i++) {
      picks[i].addEventListener("change", function (event) { upload(event.target); });
    }
  });
})();
