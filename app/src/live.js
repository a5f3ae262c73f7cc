(function (script, wasm, writingPaths) {
  const root = document.documentElement;
  const isWriting = (path) =>
    writingPaths.some((prefix) => path === prefix || path.startsWith(prefix + "/"));
  const live = () => root.setAttribute("data-live", "");

  if (isWriting(location.pathname)) {
    const hydrate = () =>
      import(script).then((front) =>
        front.default({ module_or_path: wasm }).then(() =>
          setTimeout(() => {
            front.hydrate();
            live();
          }),
        ),
      );
    const whenIdle = () =>
      "requestIdleCallback" in window
        ? requestIdleCallback(hydrate, { timeout: 2000 })
        : setTimeout(hydrate);
    requestAnimationFrame(() => setTimeout(whenIdle));
    return;
  }

  const TIME_LIMIT_MS = 10000;
  const samePage = (a, b) => a.pathname === b.pathname && a.search === b.search;
  const isFile = (path) => /\.[^/]*$/.test(path) || /^\/(api|media)\//.test(path);
  const readingPage = (url) =>
    url.origin === location.origin && !isWriting(url.pathname) && !isFile(url.pathname);
  let shown = new URL(location.href);
  let underway = null;

  // Each history entry of this visit has its own number; where the reader had scrolled to on
  // each is kept by number, and in the entry itself when the page is left.
  let entries = Date.now();
  const scrolled = new Map();
  const numbered = () => {
    if (history.state?.entry == null) history.replaceState({ entry: ++entries }, "");
    return history.state.entry;
  };
  let shownEntry = numbered();
  // The entry whose page is on screen: the one before `shownEntry` while Back or Forward waits
  // for its page.
  let onScreen = shownEntry;
  if (history.state.scroll != null) scrolled.set(shownEntry, history.state.scroll);
  addEventListener("pagehide", () =>
    history.replaceState({ entry: shownEntry, scroll: scrollY }, ""),
  );

  const setLoading = (loading) => {
    const bar = document.querySelector(".loading-bar");
    if (bar) {
      bar.classList.toggle("active", loading);
      bar.textContent = loading ? "Loading…" : "";
    }
  };
  const cancel = () => {
    const navigation = underway;
    underway = null;
    navigation?.abort();
    setLoading(false);
  };

  // Tells screen readers the title of each page put in place; it stays while pages change, and
  // is emptied first so that a page with the title of the one before is told too.
  const announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-atomic", "true");
  addEventListener("DOMContentLoaded", () => document.body.append(announcer));

  // A page as it is put in place: its `lang`, and the nodes of its head (bar the scripts and
  // the stylesheets, which stay) and of its body (bar the announcer).
  const kept = (node) => node.matches('script, link[rel="stylesheet"]');
  const pageOf = (page) => ({
    lang: page.documentElement.lang,
    head: [...page.head.children].filter((node) => !kept(node)),
    body: [...page.body.childNodes].filter((node) => node !== announcer),
  });
  const fromServer = (next) => {
    for (const node of next.body.querySelectorAll("script")) node.remove();
    return pageOf(next);
  };
  const putInPlace = (page) => {
    for (const node of [...document.head.children]) if (!kept(node)) node.remove();
    document.head.append(...page.head);
    root.lang = page.lang;
    for (const node of [...document.body.childNodes]) if (node !== announcer) node.remove();
    document.body.prepend(...page.body);
    announcer.textContent = "";
    setTimeout(() => (announcer.textContent = document.title), 100);
  };

  // The pages last left, by history entry, with what the reader had typed in their forms and
  // where they had scrolled, so that Back and Forward show them again without asking the server.
  const KEPT_PAGES = 10;
  const left = new Map();
  const keep = (entry) => {
    left.delete(entry);
    left.set(entry, { url: shown, ...pageOf(document) });
    if (left.size > KEPT_PAGES) left.delete(left.keys().next().value);
  };
  // A new entry ends the history past the one shown, and with it the pages kept for that part.
  const forgetAfter = (entry) => {
    for (const later of [...left.keys()]) if (later > entry) left.delete(later);
  };
  const stylesheets = (page) =>
    [...page.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.href).join(" ");
  const fragment = (url) => {
    try {
      return decodeURIComponent(url.hash.slice(1));
    } catch {
      return url.hash.slice(1);
    }
  };

  // A plain browser load of `url`: a new entry for a click, this entry for Back and Forward.
  const load = (url, push) => {
    if (push) location.assign(url);
    else if (url.href === location.href) location.reload();
    else location.replace(url);
  };

  // After a page is put in place: in view, where the reader was when they come back to an entry,
  // else the fragment's target, else the top; focus on the target or the content.
  const arrive = (url, push) => {
    const target = url.hash && document.getElementById(fragment(url));
    const wasAt = push ? null : scrolled.get(shownEntry) ?? history.state?.scroll;
    if (target && wasAt == null) target.scrollIntoView();
    else scrollTo(0, wasAt ?? 0);
    const focused = target || document.getElementById("content");
    if (focused && !focused.hasAttribute("tabindex")) focused.setAttribute("tabindex", "-1");
    focused?.focus({ preventScroll: true });
  };

  const show = async (url, push) => {
    cancel();
    if (!readingPage(url)) {
      load(url, push);
      return;
    }
    const navigation = (underway = new AbortController());
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      navigation.abort();
    }, TIME_LIMIT_MS);
    setLoading(true);
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, signal: navigation.signal });
      const arrived = new URL(response.url);
      arrived.hash = url.hash;
      const isPage = (response.headers.get("Content-Type") || "").startsWith("text/html");
      if (!isPage || !readingPage(arrived)) {
        navigation.abort();
        load(arrived, push);
        return;
      }
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!next.getElementById("content") || stylesheets(next) !== stylesheets(document)) {
        load(arrived, push);
        return;
      }
      keep(onScreen);
      if (push) {
        scrolled.set(onScreen, scrollY);
        forgetAfter(shownEntry);
        shownEntry = ++entries;
        history.pushState({ entry: shownEntry }, "", arrived);
      }
      shown = arrived;
      onScreen = shownEntry;
      putInPlace(fromServer(next));
      arrive(url, push);
    } catch (error) {
      if (timedOut || navigation === underway) load(url, push);
    } finally {
      clearTimeout(timer);
      if (navigation === underway) {
        underway = null;
        setLoading(false);
      }
    }
  };

  history.scrollRestoration = "manual";
  addEventListener("popstate", () => {
    const url = new URL(location.href);
    scrolled.set(onScreen, scrollY);
    shownEntry = numbered();
    const page = left.get(shownEntry);
    if (samePage(url, shown)) {
      cancel();
      onScreen = shownEntry;
    } else if (page && samePage(url, page.url)) {
      cancel();
      left.delete(shownEntry);
      keep(onScreen);
      shown = url;
      onScreen = shownEntry;
      putInPlace(page);
      setLoading(false);
      arrive(url, false);
    } else {
      show(url, false);
    }
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (
      !(link instanceof HTMLAnchorElement) ||
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey || event.ctrlKey || event.shiftKey || event.altKey ||
      (link.target && link.target !== "_self") ||
      link.hasAttribute("download") ||
      /\bexternal\b/.test(link.rel)
    ) {
      return;
    }
    const url = new URL(link.href);
    if (!readingPage(url) || (samePage(url, location) && url.hash)) {
      cancel();
      return;
    }
    event.preventDefault();
    show(url, true);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const url = new URL(form.action);
    if (event.defaultPrevented || form.method !== "get" || !readingPage(url)) {
      cancel();
      return;
    }
    event.preventDefault();
    url.search = new URLSearchParams(new FormData(form, event.submitter)).toString();
    show(url, true);
  });
  live();
})
