// The header's menus (<details class="nav-menu">) close as menus do: on a click elsewhere,
// or on Escape, which puts the focus back on the menu's name.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.nav-menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.nav-menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
