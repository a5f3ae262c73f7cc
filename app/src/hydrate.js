(function (script, wasm) {
  const hydrate = () =>
    import(script).then((front) =>
      front.default({ module_or_path: wasm }).then(() => setTimeout(front.hydrate)),
    );
  const whenIdle = () =>
    "requestIdleCallback" in window
      ? requestIdleCallback(hydrate, { timeout: 2000 })
      : setTimeout(hydrate);
  requestAnimationFrame(() => setTimeout(whenIdle));
})
