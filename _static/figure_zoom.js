// Every figure's image opens full size on a click: wrap it in a link to the image itself.
// Works from file:// and over HTTP; without JavaScript the figure is simply not a link.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure img").forEach((img) => {
    if (img.closest("a")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "figure-full-size";
    link.title = "Open the figure full size";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  });
});
