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
  const readingPage = (url) => url.origin === location.origin && !isWriting(url.pathname);
  let shown = new URL(location.href);
  let underway = null;
  // Where the reader had scrolled to on each page of this visit, by the page's place in history.
  const scrolled = new Map();
  const entryOf = (state) => state?.entry ?? 0;
  let shownEntry = entryOf(history.state);

  const setLoading = (loading) => {
    const bar = document.querySelector(".loading-bar");
    if (bar) {
      bar.classList.toggle("active", loading);
      bar.textContent = loading ? "Loading…" : "";
    }
  };

  const kept = (node) => node.matches('script, link[rel="stylesheet"]');
  const putInPlace = (next) => {
    for (const node of [...document.head.children]) if (!kept(node)) node.remove();
    for (const node of [...next.head.children]) if (!kept(node)) document.head.append(node);
    for (const node of next.body.querySelectorAll("script")) node.remove();
    root.lang = next.documentElement.lang;
    document.body.replaceChildren(...next.body.childNodes);
  };

  const show = async (url, push) => {
    underway?.abort();
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
        location.assign(arrived);
        return;
      }
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!next.getElementById("content")) {
        location.assign(arrived);
        return;
      }
      if (push) {
        scrolled.set(shownEntry, scrollY);
        shownEntry += 1;
        history.pushState({ entry: shownEntry }, "", arrived);
      }
      shown = arrived;
      putInPlace(next);
      const target = url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (target) target.scrollIntoView();
      else scrollTo(0, push ? 0 : (scrolled.get(shownEntry) ?? 0));
      document.getElementById("content")?.focus({ preventScroll: true });
    } catch (error) {
      if (timedOut || navigation === underway) location.assign(url);
    } finally {
      clearTimeout(timer);
      if (navigation === underway) {
        underway = null;
        setLoading(false);
      }
    }
  };

  history.scrollRestoration = "manual";
  addEventListener("popstate", (event) => {
    const url = new URL(location.href);
    if (samePage(url, shown)) return;
    scrolled.set(shownEntry, scrollY);
    shownEntry = entryOf(event.state);
    show(url, false);
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
    if (!readingPage(url) || (samePage(url, location) && url.hash)) return;
    event.preventDefault();
    show(url, true);
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method !== "get") return;
    const url = new URL(form.action);
    if (!readingPage(url)) return;
    event.preventDefault();
    url.search = new URLSearchParams(new FormData(form, event.submitter)).toString();
    show(url, true);
  });
  live();
})
