// The menus of more actions (a <details> each, which works without this script): one is open
// at a time, and Escape or a click elsewhere closes it, Escape putting the keyboard back on
// its button.
(() => {
  const menus = [...document.querySelectorAll("details.menu")];
  if (!menus.length) return;

  const close = (menu, focus) => {
    if (!menu.open) return;
    menu.open = false;
    if (focus) menu.querySelector("summary")?.focus();
  };

  for (const menu of menus) {
    menu.addEventListener("toggle", () => {
      if (!menu.open) return;
      for (const other of menus) if (other !== menu) close(other, false);
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = menus.find((menu) => menu.open);
    if (open) close(open, true);
  });

  document.addEventListener("click", (event) => {
    for (const menu of menus) if (!menu.contains(event.target)) close(menu, false);
  });
})();
