/* Citizen portal: optional enhancements. Every page works without this file.
 *
 * - Conditional fields: shows/hides fields with `data-visible-if` (and the required
 *   marker of `data-required-if`) as the citizen answers. Only a small subset of JSON
 *   Logic is understood here; a rule using anything else leaves the field shown, as
 *   without JavaScript. The server always decides what is kept and required.
 * - "Use my current position" fills a location field from the device's GPS.
 * - The error summary takes the focus, so it is read first; its links focus the field.
 */
(function () {
  "use strict";

  var UNKNOWN = {}; // thrown when a rule uses an operation this file does not know

  function truthy(value) {
    if (Array.isArray(value)) return value.length > 0;
    return !!value;
  }

  function lookup(data, path, fallback) {
    if (path === undefined || path === null || path === "") return data;
    var parts = String(path).split(".");
    var current = data;
    for (var i = 0; i < parts.length; i++) {
      if (current === null || current === undefined || !(parts[i] in Object(current))) {
        return fallback === undefined ? null : fallback;
      }
      current = current[parts[i]];
    }
    return current;
  }

  function evaluate(rule, data) {
    if (Array.isArray(rule)) return rule.map(function (item) { return evaluate(item, data); });
    if (rule === null || typeof rule !== "object") return rule;
    var ops = Object.keys(rule);
    if (ops.length !== 1) throw UNKNOWN;
    var op = ops[0];
    var raw = rule[op];
    var args = Array.isArray(raw) ? raw : [raw];
    if (op === "var") {
      var path = evaluate(args[0], data);
      return lookup(data, path, evaluate(args[1], data));
    }
    if (op === "and" || op === "or") {
      var last = op === "and" ? true : false;
      for (var i = 0; i < args.length; i++) {
        last = evaluate(args[i], data);
        if (op === "and" && !truthy(last)) return last;
        if (op === "or" && truthy(last)) return last;
      }
      return last;
    }
    var values = args.map(function (arg) { return evaluate(arg, data); });
    switch (op) {
      /* eslint-disable eqeqeq -- JSON Logic's == and != are loose */
      case "==": return values[0] == values[1];
      case "!=": return values[0] != values[1];
      /* eslint-enable eqeqeq */
      case "===": return values[0] === values[1];
      case "!==": return values[0] !== values[1];
      case "!": return !truthy(values[0]);
      case "!!": return truthy(values[0]);
      case "<": return values.length === 3
        ? values[0] < values[1] && values[1] < values[2] : values[0] < values[1];
      case "<=": return values.length === 3
        ? values[0] <= values[1] && values[1] <= values[2] : values[0] <= values[1];
      case ">": return values[0] > values[1];
      case ">=": return values[0] >= values[1];
      case "in":
        if (Array.isArray(values[1])) return values[1].indexOf(values[0]) !== -1;
        if (typeof values[1] === "string") return values[1].indexOf(values[0]) !== -1;
        return false;
      default: throw UNKNOWN;
    }
  }

  /* The answers as the server sees them: one value per visible field key. */
  function answers(form, visible) {
    var data = {};
    var fields = form.querySelectorAll("[data-field]");
    for (var i = 0; i < fields.length; i++) {
      var key = fields[i].getAttribute("data-field");
      if (!visible[key]) continue;
      var widget = fields[i].getAttribute("data-widget");
      var value = fieldValue(fields[i], key, widget);
      if (value !== null) data[key] = value;
    }
    return data;
  }

  function fieldValue(field, key, widget) {
    var inputs = field.querySelectorAll("input, select, textarea");
    var i;
    if (widget === "checkboxes") {
      var chosen = [];
      for (i = 0; i < inputs.length; i++) if (inputs[i].checked) chosen.push(inputs[i].value);
      return chosen.length ? chosen : null;
    }
    if (widget === "radio") {
      for (i = 0; i < inputs.length; i++) if (inputs[i].checked) return inputs[i].value;
      return null;
    }
    if (widget === "checkbox") return inputs[0] && inputs[0].checked ? true : null;
    if (widget === "file") return inputs[0] && inputs[0].files.length ? [] : null;
    if (widget === "location") {
      var point = {};
      for (i = 0; i < inputs.length; i++) {
        point[inputs[i].name.slice(key.length + 1)] = inputs[i].value.trim();
      }
      return point.lat || point.lng ? point : null;
    }
    var input = inputs[0];
    if (!input || input.value.trim() === "") return null;
    return widget === "number" ? Number(input.value) : input.value.trim();
  }

  function ruleOf(element, name) {
    try {
      return JSON.parse(element.getAttribute(name));
    } catch (error) {
      return undefined;
    }
  }

  function check(rule, data) {
    try {
      return truthy(evaluate(rule, data));
    } catch (error) {
      return null; // unknown operation: leave the field as the server drew it
    }
  }

  function refresh(form) {
    var conditional = form.querySelectorAll("[data-visible-if]");
    var all = form.querySelectorAll("[data-field]");
    var visible = {};
    for (var i = 0; i < all.length; i++) visible[all[i].getAttribute("data-field")] = true;
    // Visibility may depend on a field that is itself hidden: repeat until it settles.
    for (var round = 0; round <= conditional.length; round++) {
      var data = answers(form, visible);
      var changed = false;
      for (var k = 0; k < conditional.length; k++) {
        var key = conditional[k].getAttribute("data-field");
        var shown = check(ruleOf(conditional[k], "data-visible-if"), data);
        if (shown === null) shown = true;
        if (visible[key] !== shown) {
          visible[key] = shown;
          changed = true;
        }
      }
      if (!changed) break;
    }
    for (var m = 0; m < conditional.length; m++) {
      var field = conditional[m];
      var show = visible[field.getAttribute("data-field")];
      field.hidden = !show;
      var inputs = field.querySelectorAll("input, select, textarea, button");
      for (var n = 0; n < inputs.length; n++) {
        if (!inputs[n].hasAttribute("data-locate")) inputs[n].disabled = !show;
      }
    }
    var requiredIf = form.querySelectorAll("[data-required-if]");
    var current = answers(form, visible);
    for (var r = 0; r < requiredIf.length; r++) {
      var marker = requiredIf[r].querySelector("[data-required-marker]");
      var required = check(ruleOf(requiredIf[r], "data-required-if"), current);
      if (marker) marker.hidden = required !== true;
    }
  }

  function locate(button) {
    var id = button.getAttribute("data-locate");
    var status = document.querySelector('[data-locate-status="' + id + '"]');
    function say(name) {
      if (status) status.textContent = button.getAttribute(name) || "";
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      say("data-msg-wait");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById(id + "-lat").value = position.coords.latitude.toFixed(6);
          document.getElementById(id + "-lng").value = position.coords.longitude.toFixed(6);
          say("data-msg-ok");
        },
        function () {
          say("data-msg-failed");
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      // A summary link moves the focus to the field, showing its question above it.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest('a[href^="#"]');
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        var field = target.closest(".field") || target;
        field.scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }
    var forms = document.querySelectorAll("[data-portal-form]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        refresh(form);
        form.addEventListener("change", function () { refresh(form); });
        form.addEventListener("input", function () { refresh(form); });
      })(forms[i]);
    }
    if ("geolocation" in navigator && window.isSecureContext) {
      var buttons = document.querySelectorAll("[data-locate]");
      for (var b = 0; b < buttons.length; b++) locate(buttons[b]);
    }
  });
})();
