/* styrdok's part of the web editor (site: /redigera/styrdok-redigera.js), loaded after decap-cms.js.
 *
 * - Formats: front matter and data files are read and written with js-yaml (core schema, so a date
 *   stays 2026-03-01 and not a timestamp); a data file that is a YAML list is edited under the key
 *   in data.listKey; the comment block at the top of a data file (its commented example) is kept.
 * - Messages: "required" and "pattern" say what `styrdok check` says (the text is in config.yml).
 * - Preview: the site's CSS, the metadata card, and a placeholder for each macro call.
 * data: the JSON in index.html (styrdok.editor.editor_data).
 */
(function () {
  "use strict";
  var CMS = window.CMS, h = window.h, yaml = window.jsyaml;
  var DATA = JSON.parse(document.getElementById("styrdok-data").textContent);
  var LOAD = { schema: yaml.CORE_SCHEMA };
  var DUMP = { schema: yaml.CORE_SCHEMA, lineWidth: -1, noRefs: true };

  function plain(value) {
    return value && typeof value.toJS === "function" ? value.toJS() : value;
  }

  function ordered(obj, order) {
    var out = {};
    (order || []).forEach(function (k) { if (k in obj) out[k] = obj[k]; });
    Object.keys(obj).forEach(function (k) { if (!(k in out)) out[k] = obj[k]; });
    return out;
  }

  function keepRequiredKeys(obj) {
    DATA.keep.forEach(function (path) {
      var parent = obj;
      for (var i = 0; i < path.length - 1; i++) {
        parent = parent && typeof parent === "object" ? parent[path[i]] : undefined;
      }
      var last = path[path.length - 1];
      if (parent && typeof parent === "object" && !Array.isArray(parent) && !(last in parent)) parent[last] = null;
    });
    return obj;
  }

  function clean(obj) {
    // The hidden helper key and empty values the form leaves behind are not written.
    if (Array.isArray(obj)) return obj.map(clean);
    if (obj && typeof obj === "object") {
      var out = {};
      Object.keys(obj).forEach(function (k) {
        if (k === "_huvud") return;
        var v = obj[k];
        if (v === "" || v === undefined) return;
        v = clean(v);
        if (v && typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length) return;   // upprattad: {}
        out[k] = v;
      });
      return out;
    }
    return obj;
  }

  var FRONT = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

  CMS.registerCustomFormat("styrdok-md", "md", {
    fromFile: function (text) {
      var m = FRONT.exec(text);
      if (!m) return { body: text };
      var front = yaml.load(m[1], LOAD) || {};
      DATA.mapFields.forEach(function (k) {       // {socialnamnden: SN 2025/41} -> "socialnamnden: SN 2025/41"
        var v = front[k];
        if (v && typeof v === "object" && !Array.isArray(v)) {
          front[k] = Object.keys(v).map(function (id) { return id + ": " + v[id]; }).join("\n");
        }
      });
      Object.keys(DATA.objectParts).forEach(function (k) {   // {roll: sas, namn: X} -> roll + a field for namn
        var v = front[k], p = DATA.objectParts[k];
        if (v && typeof v === "object" && !Array.isArray(v)) {
          front[k] = v[p.id];
          p.rest.forEach(function (r) { if (v[r] != null) front[k + DATA.part + r] = v[r]; });
        }
      });
      front.body = text.slice(m[0].length).replace(/^\r?\n/, "");
      return front;
    },
    toFile: function (data) {
      var obj = clean(plain(data));
      var body = obj.body || "";
      delete obj.body;
      DATA.mapFields.forEach(function (k) {       // lines "id: text" -> a mapping again
        var v = obj[k];
        if (typeof v !== "string") return;
        var lines = v.split(/\r?\n/).filter(function (l) { return l.trim(); });
        var pairs = lines.map(function (l) { return /^([a-z0-9][a-z0-9-]*):\s*(\S.*)$/.exec(l.trim()); });
        if (lines.length && pairs.every(Boolean)) {
          obj[k] = {};
          pairs.forEach(function (p) { obj[k][p[1]] = p[2]; });
        } else {
          obj[k] = lines.join(" ");
        }
      });
      Object.keys(DATA.objectParts).forEach(function (k) {
        var p = DATA.objectParts[k], rest = {};
        p.rest.forEach(function (r) {
          var key = k + DATA.part + r;
          if (obj[key] != null) rest[r] = obj[key];
          delete obj[key];
        });
        if (Object.keys(rest).length && obj[k] != null) {
          var joined = {};
          joined[p.id] = obj[k];
          Object.keys(rest).forEach(function (r) { joined[r] = rest[r]; });
          obj[k] = joined;
        }
      });
      obj = ordered(obj, DATA.frontOrder);
      return "---\n" + yaml.dump(obj, DUMP) + "---\n\n" + body.replace(/\s*$/, "\n");
    },
  });

  function header(text) {
    var m = /^(?:[ \t]*#.*\r?\n|[ \t]*\r?\n)*/.exec(text);
    return m ? m[0] : "";
  }

  CMS.registerCustomFormat("styrdok-yaml", "yml", {
    fromFile: function (text) {
      var value = yaml.load(text, LOAD);
      var out = Array.isArray(value) ? {} : (value || {});
      if (Array.isArray(value)) out[DATA.listKey] = value;
      out._huvud = header(text);
      return out;
    },
    toFile: function (data) {
      var obj = plain(data);
      var head = obj._huvud || "";
      obj = clean(obj);
      var keys = Object.keys(obj);
      var value = keys.length === 1 && keys[0] === DATA.listKey ? obj[DATA.listKey] : keepRequiredKeys(obj);
      if (Array.isArray(value)) value = value.map(keepRequiredKeys);
      var text = yaml.dump(value, DUMP);
      if (Array.isArray(value)) text = text.replace(/\n(?=- )/g, "\n\n");   // a blank line between records
      return head + text;
    },
  });

  // Messages in the words of `styrdok check` (styrdok.editor.config): "required" from DATA, a field's
  // own refusal (unknown role, not a date) from its pattern in config.yml.
  var sv = CMS.getLocale && CMS.getLocale("sv");
  if (sv) {
    sv.editor.editorControlPane.widget.required = DATA.messages.required;
    sv.editor.editorControlPane.widget.regexPattern = DATA.messages.pattern;
    CMS.registerLocale("sv", sv);
  }

  // --- preview -----------------------------------------------------------------------------------
  DATA.stylesheets.forEach(function (href) { CMS.registerPreviewStyle(href); });
  CMS.registerPreviewStyle("styrdok-redigera.css");

  var MACRO = /\{\{\s*([a-z_]+)\s*\((.*?)\)\s*\}\}/g;

  CMS.registerEditorComponent({
    id: "styrdok-makro",
    label: "Makro (fylls i när handboken byggs)",
    fields: [{ name: "anrop", label: "Anrop", widget: "string" }],
    pattern: /^\{\{\s*([a-z_]+)\s*\((.*?)\)\s*\}\}$/,
    fromBlock: function (m) { return { anrop: m[0] }; },
    toBlock: function (d) { return d.anrop; },
    toPreview: function (d) {
      return h("div", { className: "styrdok-makro" },
        h("strong", null, "Här visas innehåll ur handboken"), " ",
        h("code", null, d.anrop),
        " – det fylls i när handboken byggs.");
    },
  });

  function name(id) { return DATA.names[id] || DATA.dokument[id] || id; }
  function list(v) { v = plain(v); return v == null ? [] : Array.isArray(v) ? v : [v]; }

  // A field's value as the card shows it: names for ids, lists joined, {roll, namn} as "Roll, namn".
  function shown(value) {
    value = plain(value);
    if (value == null || value === "") return "";
    if (Array.isArray(value)) return value.map(shown).filter(Boolean).join(", ");
    if (typeof value === "object") {
      if (value.roll) return [name(value.roll), value.namn].filter(Boolean).join(", ");
      return Object.keys(value).map(function (k) { return shown(value[k]); }).filter(Boolean).join(", ");
    }
    return name(String(value));
  }

  function lookup(data, path) {
    var v = data;
    path.split(".").forEach(function (k) { v = v && typeof v === "object" ? plain(v)[k] : undefined; });
    return shown(v);
  }

  // '{beslutad.datum}[ § {beslutad.paragraf}]': text in [ ] only when its fields have values.
  function formatted(format, data) {
    function fill(text) {
      var missing = false;
      var out = text.replace(/\{([a-z_.]+)\}/g, function (_m, path) {
        var v = lookup(data, path);
        if (!v) missing = true;
        return v;
      });
      return { text: out, missing: missing };
    }
    var text = format.replace(/\[([^\]]*)\]/g, function (_m, inner) {
      var r = fill(inner);
      return r.missing ? "" : r.text;
    });
    return fill(text).text.trim();
  }

  function card(entry) {
    var d = plain(entry.get("data")) || {};
    var rows = (DATA.rows[d.typ] || []).map(function (row) {
      var value = row.format ? formatted(row.format, d) : (row.falt === "typ" ? DATA.typer[d.typ] : lookup(d, row.falt));
      var parts = DATA.objectParts[row.falt];
      if (parts && value) {          // "Socialt ansvarig samordnare, Kim Berg"
        value = [value].concat(parts.rest.map(function (r) { return d[row.falt + DATA.part + r]; })).filter(Boolean).join(", ");
      }
      if (!value && row.visaTom) value = "–";
      return [row.etikett, value];
    }).filter(function (r) { return r[0] && r[1]; });
    return h("section", { className: "styrdok-kort", "aria-label": "Uppgifter om dokumentet" },
      h("dl", null, rows.map(function (r, i) {
        return h("div", { key: i }, h("dt", null, r[0]), h("dd", null, String(r[1])));
      })),
      h("p", { className: "styrdok-forhand-note" },
        "Uppgifter som räknas fram (beslut, nästa revidering, datum ur git) visas när sidan byggs."));
  }

  var DocumentPreview = window.createClass({
    render: function () {
      var entry = this.props.entry;
      return h("div", { className: "md-typeset styrdok-forhand" },
        h("p", { className: "styrdok-forhand-note" }, "Förhandsvisning: så här ungefär ser sidan ut i handboken."),
        h("h1", null, entry.getIn(["data", "titel"]) || "(ingen titel)"),
        card(entry),
        this.props.widgetFor("body"));
    },
  });
  DATA.documentCollections.forEach(function (c) { CMS.registerPreviewTemplate(c, DocumentPreview); });

  // WCAG 4.1.2: Decap leaves the preview frame without a title, the Markdown editor and the icon
  // buttons of a list record (open/close, move, remove) without a name.
  function nameUnnamed() {
    document.querySelectorAll("[class*=listControlItem] > [class*=TopBar]").forEach(function (bar) {
      var item = bar.parentElement.querySelector("[class*=NestedObjectLabel]");
      var what = item && item.textContent ? " " + item.textContent.slice(0, 60) : "";
      var buttons = bar.querySelectorAll(":scope > button");
      if (buttons[0] && !buttons[0].getAttribute("aria-label")) buttons[0].setAttribute("aria-label", "Öppna eller stäng" + what);
      if (buttons[1] && !buttons[1].getAttribute("aria-label")) buttons[1].setAttribute("aria-label", "Ta bort" + what);
      var handle = bar.querySelector(":scope > [role=button]");
      if (handle && !handle.getAttribute("aria-label")) handle.setAttribute("aria-label", "Flytta" + what);
    });
    document.querySelectorAll("iframe:not([title])").forEach(function (f) { f.title = "Förhandsvisning"; });
    document.querySelectorAll("[data-slate-editor]:not([aria-label])").forEach(function (e) {
      var box = e.closest("[class*=ControlContainer]");
      var label = box && box.querySelector("label");
      e.setAttribute("aria-label", label ? label.textContent : "Text");
    });
  }
  new MutationObserver(nameUnnamed).observe(document.body, { childList: true, subtree: true });

  // config.yml names each select list once (styrdok_listor); put the options and the list's check
  // back into every field that names it, then start Decap with the whole configuration.
  function expandLists(config) {
    var lists = config.styrdok_listor || {};
    delete config.styrdok_listor;
    (function walk(value) {
      if (Array.isArray(value)) { value.forEach(walk); return; }
      if (!value || typeof value !== "object") return;
      if (value.styrdok_lista) {
        var list = lists[value.styrdok_lista];
        var pattern = list.pattern[value.multiple ? "flera" : "en"];
        delete value.styrdok_lista;
        value.options = list.options;
        if (pattern) value.pattern = [pattern, list.meddelande];
      }
      Object.keys(value).forEach(function (k) { walk(value[k]); });
    })(config);
    return config;
  }

  fetch("config.yml", { cache: "no-cache" })
    .then(function (r) { return r.text(); })
    .then(function (text) {
      var config = expandLists(yaml.load(text, LOAD));
      config.load_config_file = false;
      CMS.init({ config: config });
    });
})();
