/*
 * The handbook's search box (overrides/partials/styrdok-sok.html) on Pagefind's JavaScript API.
 *
 * It keeps the theme's look: the same header box and overlay, results rendered with the theme's
 * classes (.md-search-result__*), the theme's Swedish texts from its __config. Pagefind loads only
 * the index fragments a query needs (pagefind/, written by `styrdok build`), and nothing comes from
 * outside the site. What it adds to Pagefind:
 *
 * - question words and small words are left out of the query (Pagefind wants every word to match:
 *   "vem ansvarar för egenkontroll" would miss the rutin that never says "vem");
 * - a question's words are searched one by one and the scores added, so a page that lacks one of
 *   the words can still come first, and a page with the words as a phrase ranks higher;
 * - filters on document type and unit ("Avgränsa sökningen"), loaded when first opened;
 * - ?q=… opens the results (the start page's search form sends it);
 * - in `make serve` there is no index: a Swedish message says where search works.
 */
(() => {
  "use strict";
  const root = document.querySelector("[data-styrdok-sok]");
  if (!root) return;

  const config = JSON.parse(document.getElementById("__config").textContent);
  const t = config.translations || {};
  const siteBase = new URL(String(config.base || ".").replace(/\/?$/, "/"), location.href);
  const toggle = document.getElementById("__search");
  const form = root.querySelector("form");
  const input = root.querySelector(".md-search__input");
  const meta = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const moreButton = root.querySelector(".styrdok-sok__fler");
  const filterBox = root.querySelector(".styrdok-sokfilter");
  const selects = [...root.querySelectorAll("select[data-filter]")];

  const PAGE_SIZE = 10;
  /* The first results show at once; the rest of the first ten a moment later, if the query is
     still the same (each result loads its page's text for the excerpt). */
  const FIRST_SIZE = 5;
  const REST_DELAY_MS = 150;
  /* One or two letters match words in many of Pagefind's index chunks; from three on, one chunk. */
  const MIN_LENGTH = 3;
  const TOO_SHORT = "Skriv minst tre bokstäver";
  /* While the words are typed Pagefind loads the index they need; results (and the page texts
     for their excerpts) wait until typing pauses this long. */
  const QUIET_MS = 0;
  const NO_INDEX = "Sökningen fungerar i den byggda handboken (make build). I förhandsvisningen " +
    "(make serve) finns inget sökindex – använd menyn eller sidan Styrdokument.";
  const STOP_WORDS = new Set((
    "och i på att en ett av för med om som är det den de jag du vi man hur vad vem vilka vilken " +
    "vilket när var varför ska skall kan får måste gör göra till från vid har hos min mitt mina " +
    "sin sitt sina eller så inte mig dig oss sig nu där här ut upp in"
  ).split(" "));

  let pagefind = null;
  let loading = null;
  let seq = 0;
  let pending = 0;
  let shown = [];          // the current search's results (Pagefind result objects)
  let rendered = 0;

  function text(key, n) {
    const s = t[key] || "";
    return s.replace("#", String(n));
  }

  function load() {
    if (!loading) {
      loading = import(new URL("pagefind/pagefind.js", siteBase).href).then(async (pf) => {
        await pf.options({ baseUrl: siteBase.pathname, noWorker: true });
        await pf.init();
        /* A large handbook's index is in parts (pagefind/del-N/, listed in styrdok-delar.json):
           a page edit re-indexes one part. Pagefind searches them all and sorts the results
           together; a filter counts the pages of every part. No list: one index. */
        const parts = await fetch(new URL("pagefind/styrdok-delar.json", siteBase).href)
          .then((r) => (r.ok ? r.json() : []))
          .catch(() => []);
        await Promise.all(parts.map((part) =>
          pf.mergeIndex(new URL(`pagefind/${part}`, siteBase).pathname, { baseUrl: siteBase.pathname })));
        pagefind = pf;
        return pf;
      });
      loading.catch(() => {
        meta.textContent = NO_INDEX;
      });
    }
    return loading;
  }

  function queryWords(query) {
    const words = query.toLocaleLowerCase("sv").split(/[\s,.;:!?()"]+/).filter(Boolean);
    const kept = words.filter((w) => !STOP_WORDS.has(w));
    return kept.length ? kept : words;
  }

  function currentFilters() {
    const filters = {};
    for (const select of selects) {
      if (select.value) filters[select.dataset.filter] = select.value;
    }
    return filters;
  }

  /* Pagefind wants every word of a query to match. A question has words the right page may not
     say ("klaga på hemtjänsten": the rutin for klagomål never says hemtjänst), so each word is
     searched alone and a page scores the sum of its words' scores, times the share of the words
     it has, times PHRASE_BOOST if it has them all as written, in a row ("socialt ansvarig
     samordnare"). */
  const PHRASE_BOOST = 1.5;

  async function searchWords(pf, query, words, filters) {
    if (query.includes('"') || words.length < 2) {
      return (await pf.search(query.includes('"') ? query : words.join(" "), { filters })).results;
    }
    const phraseWords = query.toLocaleLowerCase("sv").split(/[\s,.;:!?()]+/).filter(Boolean);
    const [phrase, all, ...each] = await Promise.all([
      pf.search(`"${phraseWords.join(" ")}"`, { filters }),
      pf.search(words.join(" "), { filters }),
      ...words.map((w) => pf.search(w, { filters })),
    ]);
    const inPhrase = new Set(phrase.results.map((r) => r.id));
    // a page with all the words: its result from the search for all of them marks them all
    const withAll = new Map(all.results.map((r) => [r.id, r]));
    const merged = new Map();
    for (const search of each) {
      for (const r of search.results) {
        const m = merged.get(r.id) || { result: withAll.get(r.id) || r, score: 0, words: 0 };
        m.score += r.score;
        m.words += 1;
        merged.set(r.id, m);
      }
    }
    for (const m of merged.values()) {
      m.score *= (m.words / words.length) * (inPhrase.has(m.result.id) ? PHRASE_BOOST : 1);
    }
    return [...merged.values()].sort((a, b) => b.score - a.score).map((m) => m.result);
  }

  async function run() {
    const my = ++seq;
    const query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      shown = [];
      list.replaceChildren();
      moreButton.hidden = true;
      meta.textContent = query ? TOO_SHORT : text("search.result.placeholder");
      return;
    }
    let pf;
    try {
      pf = await load();
    } catch (err) {
      meta.textContent = NO_INDEX;
      return;
    }
    const results = await searchWords(pf, query, queryWords(query), currentFilters());
    if (my !== seq) return;
    shown = results;
    rendered = 0;
    const first = await Promise.all(results.slice(0, FIRST_SIZE).map((r) => r.data()));
    if (my !== seq) return;
    list.replaceChildren(...first.map(renderItem));
    rendered = first.length;
    meta.textContent = results.length === 0 ? text("search.result.none")
      : results.length === 1 ? text("search.result.one") : text("search.result.other", results.length);
    moreButton.hidden = true;
    if (results.length > rendered) {
      await new Promise((resolve) => setTimeout(resolve, REST_DELAY_MS));
      if (my !== seq) return;
      await showMore();
    }
  }

  async function showMore() {
    const my = seq;
    const next = shown.slice(rendered, rendered < PAGE_SIZE ? PAGE_SIZE : rendered + PAGE_SIZE);
    const items = await Promise.all(next.map((r) => r.data()));
    if (my !== seq) return;
    list.append(...items.map(renderItem));
    rendered += items.length;
    moreButton.hidden = rendered >= shown.length;
  }

  /* Excerpts. Pagefind would often show the hidden extra search words (partials/styrdok-sokord.html),
     which match best; the excerpt is instead cut from the page's own text, around its best match,
     or around the page's word that a matched extra word stands for ("berättelse" →
     kvalitetsberättelsen). Pagefind counts word positions in data.content split on white space. */
  const EXCERPT_WORDS = 26;
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
  }

  function normalized(word) {
    return word.toLocaleLowerCase("sv").replace(/[^\p{L}\p{N}-]/gu, "");
  }

  function hiddenRange(data) {
    const anchors = data.anchors || [];
    const start = anchors.find((a) => a.id === "styrdok-sokord");
    const end = anchors.find((a) => a.id === "styrdok-sokord-slut");
    return start && end ? [start.location, end.location] : [0, 0];
  }

  /* The page's word a hidden line is about: "kvalitetsberättelsen: kvalitet, berättelsen." */
  function lineHead(words, at, from) {
    for (let i = at; i >= from; i--) {
      if (i < at && words[i].endsWith(".")) return null;
      if (words[i].endsWith(":")) {
        let j = i;
        while (j > from && !words[j - 1].endsWith(".")) j--;
        return normalized(words[j]);
      }
    }
    return null;
  }

  function excerptHtml(data) {
    const words = data.content.split(/[\r\n\s]+/g);
    const [from, to] = hiddenRange(data);
    const bodyStart = to;
    const locations = data.weighted_locations || [];
    const visible = locations.filter((l) => l.location >= bodyStart);
    const marked = new Set(visible.map((l) => l.location));
    let center = bodyStart;
    if (visible.length) {
      center = visible.reduce((a, b) => (b.balanced_score > a.balanced_score ? b : a)).location;
    } else {
      const heads = new Set(locations.filter((l) => l.location >= from && l.location < to)
        .map((l) => lineHead(words, l.location, from)).filter(Boolean));
      let first = -1;
      for (let i = bodyStart; i < words.length; i++) {
        const w = normalized(words[i]);
        if ([...heads].some((h) => w.startsWith(h))) {
          marked.add(i);
          if (first < 0) first = i;
        }
      }
      if (first >= 0) center = first;
    }
    const start = Math.max(bodyStart, Math.min(center - Math.floor(EXCERPT_WORDS / 3), words.length - EXCERPT_WORDS));
    const end = Math.min(words.length, start + EXCERPT_WORDS);
    const html = [];
    for (let i = start; i < end; i++) {
      html.push(marked.has(i) ? `<mark>${escapeHtml(words[i])}</mark>` : escapeHtml(words[i]));
    }
    const excerpt = (start > bodyStart ? "… " : "") + html.join(" ") + (end < words.length ? " …" : "");
    return { html: excerpt, start, end };
  }

  function element(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function link(url, article) {
    const a = element("a", "md-search-result__link");
    a.href = url;
    a.append(article);
    return a;
  }

  /* One result: the page (title, document type and unit, excerpt), then its best sections. */
  function renderItem(data) {
    const li = element("li", "md-search-result__item");
    const article = element("article", "md-search-result__article md-typeset");
    article.append(element("div", "md-search-result__icon md-icon"));
    article.append(element("h1", null, data.meta.title || data.url));
    const facts = [data.meta.typ, data.meta.enhet && `Gäller för: ${data.meta.enhet}`].filter(Boolean);
    if (facts.length) article.append(element("p", "styrdok-sokresultat__fakta", facts.join(" · ")));
    const cut = excerptHtml(data);
    const excerpt = element("p");
    excerpt.innerHTML = cut.html;                 // escaped here, with <mark> only
    article.append(excerpt);
    li.append(link(data.url, article));
    /* Then up to two sections with matches, best first, not the one the excerpt above is from. */
    const best = (sub) => Math.max(0, ...(sub.weighted_locations || []).map((l) => l.balanced_score));
    const sections = (data.sub_results || [])
      .filter((sub) => sub.url !== data.url && sub.url.includes("#"))
      .filter((sub) => !(sub.locations || []).some((l) => l >= cut.start && l < cut.end))
      .sort((a, b) => best(b) - best(a))
      .slice(0, 2);
    for (const s of sections) {
      const sec = element("article", "md-search-result__article md-typeset");
      sec.append(element("h2", null, s.title));
      const p = element("p");
      p.innerHTML = s.excerpt;                    // Pagefind escapes the text and adds only <mark>
      sec.append(p);
      li.append(link(s.url, sec));
    }
    return li;
  }

  async function fillFilters() {
    if (filterBox.dataset.loaded) return;
    filterBox.dataset.loaded = "1";
    let pf;
    try {
      pf = await load();
    } catch (err) {
      return;
    }
    const available = await pf.filters();
    for (const select of selects) {
      const values = Object.keys(available[select.dataset.filter] || {})
        .sort((a, b) => a.localeCompare(b, "sv"));
      for (const value of values) {
        const option = element("option", null, value);
        option.value = value;
        select.append(option);
      }
    }
  }

  function open() {
    if (!toggle.checked) toggle.checked = true;
    load().catch(() => {});
  }

  function links() {
    return [...list.querySelectorAll(".md-search-result__link")];
  }

  /* Events: the theme's overlay opens with its checkbox; the box, keys and ?q=… behave like the
     theme's search. */
  toggle.addEventListener("change", () => {
    if (toggle.checked) {
      input.focus();
      load().catch(() => {});
    } else {
      input.blur();
    }
  });
  input.addEventListener("focus", open);
  input.addEventListener("input", () => {
    clearTimeout(pending);
    const query = input.value.trim();
    if (pagefind && query.length >= MIN_LENGTH) pagefind.preload(queryWords(query).join(" "));
    pending = setTimeout(run, QUIET_MS);
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const first = links()[0];
    if (first) first.click();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => {
      run();
      input.focus();
    });
  });
  moreButton.addEventListener("click", showMore);
  filterBox.addEventListener("toggle", () => {
    if (filterBox.open) fillFilters();
  });
  for (const select of selects) select.addEventListener("change", run);

  document.addEventListener("keydown", (ev) => {
    const typing = ev.target instanceof HTMLElement &&
      (ev.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName));
    if (!toggle.checked) {
      if (!typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey && ["/", "s", "f"].includes(ev.key)) {
        ev.preventDefault();
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
      }
      return;
    }
    if (ev.key === "Escape") {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
      return;
    }
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      const all = links();
      const at = all.indexOf(document.activeElement);
      if (!all.length || (at < 0 && document.activeElement !== input)) return;   // e.g. in a filter
      let next;
      if (ev.key === "ArrowDown") next = at < 0 ? 0 : Math.min(at + 1, all.length - 1);
      else next = at <= 0 ? -1 : at - 1;
      ev.preventDefault();
      if (next < 0) input.focus();
      else all[next].focus();
    }
  });

  const q = new URLSearchParams(location.search).get("q");
  if (q) {
    input.value = q;
    toggle.checked = true;
    input.focus();
    run();
  }
})();
