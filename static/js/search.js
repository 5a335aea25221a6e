// The search page: runs Pagefind's index (pagefind/ beside the pages) through its JavaScript API, wherever the
// site is served, and shows results with the site's own styles. The query, filters and order live in the
// address (?q=riga&country=Latvia&sort=newest), so a search can be shared and the back button works.
// Filters list their values most used first, a few at a time, with a box to find any other: a site's thousands
// of tags never become thousands of checkboxes. When the index is missing, the page says so.
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("search-query");
  var sortChoice = document.getElementById("search-sort");
  var facetsBox = document.getElementById("search-facets");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");
  var bundle = new URL(form.getAttribute("data-bundle"), document.baseURI).pathname;  // e.g. /news/pagefind/
  // A page in another language than English gives the script its words (dateline/searchstrings.py).
  var strings = JSON.parse(form.getAttribute("data-strings") || "{}");
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  var PAGE = 10;  // results shown at a time
  var SHOWN_VALUES = 6;  // filter values shown without finding
  var pagefind = null;
  var allFilters = {};  // filter -> value -> pages, over the whole index
  var chosen = {};  // filter -> [values]
  var found = {};  // filter -> text typed in its find box
  var lastCounts = {};  // filter -> value -> pages among the results shown
  var results = [];
  var shown = 0;
  var generation = 0;

  function unavailable() {
    document.getElementById("search-unavailable").hidden = false;
    form.hidden = true;
  }

  // What the address asks for; what the reader typed while the index was loading is kept.
  function readAddress() {
    var params = new URLSearchParams(window.location.search);
    if (!input.value) input.value = params.get("q") || "";
    if (params.get("sort") === "newest") sortChoice.value = "newest";
    chosen = {};
    Object.keys(allFilters).forEach(function (name) {
      var values = params.getAll(name).filter(function (v) { return v in allFilters[name]; });
      if (values.length) chosen[name] = values;
    });
  }

  function writeAddress() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    Object.keys(chosen).forEach(function (name) {
      chosen[name].forEach(function (value) { params.append(name, value); });
    });
    if (sortChoice.value) params.set("sort", sortChoice.value);
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is text with <, > escaped and the matches in <mark>: rebuilt as nodes, never as HTML.
  function excerpt(html) {
    var paragraph = element("p", "excerpt");
    var decoder = document.createElement("textarea");
    var marked = false;
    html.split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>" || part === "</mark>") { marked = part === "<mark>"; return; }
      decoder.innerHTML = part;
      var text = document.createTextNode(decoder.value);
      if (marked) { var mark = element("mark"); mark.appendChild(text); paragraph.appendChild(mark); }
      else paragraph.appendChild(text);
    });
    return paragraph;
  }

  function resultItem(data) {
    var item = element("li", "search-result");
    var heading = element("h2", "headline");
    var link = element("a", "", data.meta.title || data.url);
    link.href = data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var parts = [data.meta.dateline, data.meta.source, data.meta.date].filter(Boolean);
    if (parts.length) {
      var byline = element("p", "byline");
      if (data.meta.dateline) byline.appendChild(element("span", "dateline", data.meta.dateline));
      var rest = parts.slice(data.meta.dateline ? 1 : 0).join(" · ");
      if (rest) byline.appendChild(document.createTextNode((data.meta.dateline ? " · " : "") + rest));
      item.appendChild(byline);
    }
    if (data.excerpt) item.appendChild(excerpt(data.excerpt));
    return item;
  }

  function showMore() {
    var mine = generation;
    var batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      if (mine !== generation) return;
      pages.forEach(function (data) { list.appendChild(resultItem(data)); });
      moreButton.hidden = shown >= results.length;  // under the results it shows more of, never above them
    });
  }

  function say(key, english) { return strings[key] != null ? strings[key] : english; }
  function fill(text, name, value) { return text.split("%(" + name + ")s").join(value); }
  function resultCount(count) {
    if (!strings.results) return count + (count === 1 ? " result" : " results");
    var forms = strings.results;
    var form = forms[plural ? plural.select(count) : "other"] || forms.other;
    return fill(form, "num", String(count));
  }

  // One fieldset per filter: the chosen values, then the most used among the results (or the values matching
  // what was typed in the filter's find box), each with its number of pages.
  function drawFacets(counts) {
    var focused = document.activeElement && document.activeElement.getAttribute("data-facet-find");
    facetsBox.textContent = "";
    Object.keys(allFilters).sort().forEach(function (name) {
      var label = (strings.labels || {})[name] || name.charAt(0).toUpperCase() + name.slice(1);
      var findLabel = (strings.find || {})[name] || "Find a " + name;
      var fieldset = element("fieldset", "facet");
      fieldset.appendChild(element("legend", "", label));
      var values = Object.keys(allFilters[name]);
      var here = counts[name] || {};
      var picked = chosen[name] || [];
      if (values.length > SHOWN_VALUES) {
        var find = element("input");
        find.type = "search";
        find.setAttribute("data-facet-find", name);
        find.setAttribute("aria-label", findLabel);
        find.placeholder = findLabel + "…";
        find.value = found[name] || "";
        find.addEventListener("input", function () { found[name] = find.value; drawFacets(lastCounts); });
        fieldset.appendChild(find);
      }
      var wanted = fold(found[name] || "");
      var candidates = values.filter(function (value) {
        return picked.indexOf(value) < 0 && (here[value] || 0) > 0 && (!wanted || fold(value).indexOf(wanted) >= 0);
      });
      candidates.sort(function (a, b) { return (here[b] || 0) - (here[a] || 0) || a.localeCompare(b); });
      var listed = picked.concat(candidates.slice(0, wanted ? SHOWN_VALUES + 2 : SHOWN_VALUES));
      var options = element("ul", "facet-values");
      listed.forEach(function (value) {
        var option = element("li");
        var box = element("input");
        box.type = "checkbox";
        box.checked = picked.indexOf(value) >= 0;
        box.addEventListener("change", function () { toggle(name, value, box.checked); });
        var text = element("label");
        text.appendChild(box);
        text.appendChild(document.createTextNode(" " + value + " "));
        text.appendChild(element("span", "count", String(here[value] || 0)));
        option.appendChild(text);
        options.appendChild(option);
      });
      if (!listed.length) options.appendChild(element("li", "none", wanted ? say("no_match", "None matches") : say("no_values", "None")));
      fieldset.appendChild(options);
      facetsBox.appendChild(fieldset);
    });
    if (focused) {
      var again = facetsBox.querySelector('[data-facet-find="' + focused + '"]');
      if (again) { again.focus(); again.setSelectionRange(again.value.length, again.value.length); }
    }
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function toggle(name, value, on) {
    var values = (chosen[name] || []).filter(function (v) { return v !== value; });
    if (on) values.push(value);
    if (values.length) chosen[name] = values; else delete chosen[name];
    search();
  }

  function search() {
    if (!pagefind) return;  // the index is still loading: it searches for what is typed once it is there
    writeAddress();
    var query = input.value.trim();
    var filters = {};
    Object.keys(chosen).forEach(function (name) { filters[name] = {any: chosen[name]}; });
    var options = {filters: filters};
    if (sortChoice.value === "newest") options.sort = {date: "desc"};
    var mine = ++generation;
    if (!query && !Object.keys(filters).length) {
      list.textContent = "";
      results = [];
      moreButton.hidden = true;
      status.textContent = "";
      lastCounts = allFilters;
      drawFacets(lastCounts);
      return;
    }
    pagefind.debouncedSearch(query || null, options, 250).then(function (search) {
      if (!search || mine !== generation) return;  // a newer search replaced this one
      results = search.results;
      shown = 0;
      list.textContent = "";
      moreButton.hidden = true;
      var count = results.length;
      var filtered = Object.keys(filters).length ? say("filtered", " with the filters chosen") : "";
      var quoted = query ? fill(say("for", " for “%(query)s”"), "query", query) : "";
      status.textContent = (count === 0 ? say("none", "No results") : resultCount(count)) + quoted + filtered + ".";
      lastCounts = search.filters || {};
      drawFacets(lastCounts);
      return showMore();
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
  input.addEventListener("input", search);
  sortChoice.addEventListener("change", search);
  moreButton.addEventListener("click", showMore);
  var engine = null;
  import(bundle + "pagefind.js").then(function (module) {
    engine = module;
    return engine.options({baseUrl: bundle.replace(/pagefind\/$/, ""), excerptLength: 30});
  }).then(function () {
    return engine.filters();
  }).then(function (filters) {
    allFilters = filters || {};
    lastCounts = allFilters;
    readAddress();
    if (Object.keys(chosen).length) document.getElementById("search-filters").open = true;
    pagefind = engine;
    search();
  }).catch(unavailable);
})();
