/* The 绩效考核 period form: rows added and removed, the 小项 found as she
   types its name or code, a team's points on one item checked against the
   item's 分值, a row for a team not ticked in 参加班组 flagged, each ticked
   team's total kept up to date.  The server checks all of
   it again before saving.  Plain ES5; without it the form still saves with
   its blank rows. */
(function () {
  "use strict";
  var form = document.getElementById("period-form");
  var model = document.getElementById("new-row");
  if (!form || !model || !model.content || !document.querySelectorAll) { return; }
  var items = readItems();
  var full = number(document.getElementById("totals").getAttribute("data-full")) || 0;
  var next = form.querySelectorAll("tr.row").length;

  function readItems() {
    var found = [], options = document.querySelectorAll("#items option");
    for (var i = 0; i < options.length; i++) {
      var o = options[i];
      found.push({code: o.getAttribute("data-code"), name: o.getAttribute("data-name"),
                  max: number(o.getAttribute("data-max")), label: o.value});
    }
    return found;
  }

  function number(text) {
    var t = (text || "").replace(/^\s+|\s+$/g, "");
    return /^\d+(\.\d+)?$/.test(t) ? parseFloat(t) : null;
  }

  function shown(value) {
    return String(Math.round(value * 1000) / 1000);
  }

  /* As the server finds it: the code (or the list's text starting with it),
     the whole name, else every item whose name holds the text. */
  function findItems(typed) {
    var text = typed.replace(/^\s+|\s+$/g, ""), i, code = text.split(" ")[0].toUpperCase(), found = [];
    if (!text) { return []; }
    for (i = 0; i < items.length; i++) {
      if (items[i].code.toUpperCase() === code) { return [items[i]]; }
    }
    for (i = 0; i < items.length; i++) {
      if (items[i].name === text) { return [items[i]]; }
    }
    for (i = 0; i < items.length; i++) {
      if (items[i].name.indexOf(text) >= 0) { found.push(items[i]); }
    }
    return found;
  }

  /* team -> whether it is ticked in 参加班组 */
  function ticked() {
    var boxes = form.querySelectorAll("input[type=checkbox][name^='teams.']"), found = {};
    for (var i = 0; i < boxes.length; i++) { found[boxes[i].value] = boxes[i].checked; }
    return found;
  }

  function field(row, name) {
    return row.querySelector("[name$='." + name + "']");
  }

  function describe(row, found) {
    var typed = field(row, "item").value.replace(/^\s+|\s+$/g, "");
    var out = row.querySelector(".item-found");
    if (!typed) { out.textContent = ""; }
    else if (found.length === 1) { out.textContent = found[0].label; }
    else if (!found.length) { out.textContent = "找不到这个小项，请换几个字或写编号"; }
    else {
      var codes = [];
      for (var i = 0; i < found.length && i < 5; i++) { codes.push(found[i].label); }
      out.textContent = "有 " + found.length + " 个小项含“" + typed + "”：" + codes.join("、") +
        (found.length > 5 ? "……" : "") + "。请多写几个字或写编号";
    }
  }

  /* Each row's check, and the sums per team: deductions and bonuses. */
  function update() {
    var rows = form.querySelectorAll("tr.row"), spent = {}, sums = {d: {}, b: {}}, assessed = ticked();
    var period = form.querySelector("[name=period]").value.replace(/^\s+|\s+$/g, "");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], kind = row.getAttribute("data-kind");
      var found = findItems(field(row, "item").value), team = field(row, "team").value;
      var text = field(row, "points").value, points = number(text), warning = "";
      describe(row, found);
      if (text.replace(/\s/g, "") && points === null) { warning = "分数要写数字，如 1 或 0.5"; }
      if (team && points !== null) { sums[kind][team] = (sums[kind][team] || 0) + points; }
      if (kind === "d" && team && points !== null && found.length === 1 && found[0].max !== null) {
        var key = team + "\n" + found[0].code;
        spent[key] = (spent[key] || 0) + points;
        if (spent[key] > found[0].max + 1e-9) {
          warning = team + "在小项“" + found[0].name + "”本期共扣 " + shown(spent[key]) +
            " 分，超过了这一小项的分值 " + shown(found[0].max) + " 分";
        }
      }
      if (team && assessed[team] === false) {  // as the build's check says it
        warning = team + " 不在 " + period + " 的参加班组里，不能" + (kind === "d" ? "扣分" : "加分");
      }
      row.querySelector(".row-check").textContent = warning;
      row.className = warning ? "row has-problem" : "row";
    }
    var any = false, each;
    for (each in assessed) { if (assessed.hasOwnProperty(each) && assessed[each]) { any = true; } }
    form.querySelector(".teams-check").textContent = any ? "" : "请至少勾选一个参加这一期考核的班组。";
    var teams = document.querySelectorAll("#totals tr[data-team]");
    for (var j = 0; j < teams.length; j++) {
      var name = teams[j].getAttribute("data-team"), off = sums.d[name] || 0, on = sums.b[name] || 0;
      teams[j].hidden = assessed[name] === false;
      teams[j].querySelector(".off").textContent = shown(off);
      teams[j].querySelector(".on").textContent = shown(on);
      teams[j].querySelector(".score").textContent = shown(full - off + on);
    }
  }

  function addRow(table) {
    var kind = table.getAttribute("data-kind");
    var row = model.content.querySelector("tr").cloneNode(true);
    var named = row.querySelectorAll("[name]");
    row.setAttribute("data-kind", kind);
    for (var i = 0; i < named.length; i++) {
      var part = named[i].getAttribute("name").split(".").pop();
      named[i].setAttribute("name", kind + "." + next + "." + part);
    }
    next += 1;
    row.querySelector(".remove-row").hidden = false;
    table.querySelector("tbody").appendChild(row);
    field(row, "team").focus();
    update();
  }

  form.addEventListener("input", update);
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && /\.item$/.test(target.name)) {
      var found = findItems(target.value);
      if (found.length === 1) { target.value = found[0].label; }  // what will be saved, shown whole
    }
    update();
  });
  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.className === "add-row") {
      addRow(document.getElementById(target.getAttribute("data-for")));
    } else if (target.className === "remove-row") {
      target.parentNode.parentNode.parentNode.removeChild(target.parentNode.parentNode);
      update();
    }
  });
  var hidden = form.querySelectorAll(".add-row, .remove-row");
  for (var k = 0; k < hidden.length; k++) { hidden[k].hidden = false; }
  update();
})();
