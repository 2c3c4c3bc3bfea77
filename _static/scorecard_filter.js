// The scorecard page: show only the rows of one status, or the table of one chapter.
// Without JavaScript every row is shown; the filter only hides.
document.addEventListener("DOMContentLoaded", () => {
  const legend = document.querySelector("p.scorecard-legend");
  const tables = Array.from(document.querySelectorAll("table.scorecard"));
  if (!legend || tables.length < 2) return;
  const statusOf = (row) => {
    const cell = row.querySelector("td");
    return cell ? cell.textContent.trim().replace(/^\S+\s+/, "") : "";
  };
  const chapterOf = (table) =>
    table.caption ? table.caption.textContent.trim().replace(/\.\s+\d+ rows?:.*$/, "") : "";
  const rows = (table) => Array.from(table.tBodies[0] ? table.tBodies[0].rows : []);
  const statuses = [...new Set(tables.flatMap((t) => rows(t).map(statusOf)))].sort();
  const option = (text) => {
    const o = document.createElement("option");
    o.value = o.textContent = text;
    return o;
  };
  const select = (label, name, values) => {
    const wrap = document.createElement("label");
    wrap.textContent = label + " ";
    const box = document.createElement("select");
    box.name = name;
    box.append(option(""), ...values.map(option));
    box.options[0].textContent = "all";
    wrap.append(box);
    return wrap;
  };
  const form = document.createElement("form");
  form.className = "scorecard-filter";
  const count = document.createElement("span");
  count.className = "scorecard-count";
  form.append(select("Status", "status", statuses), " ", select("Chapter", "chapter", tables.map(chapterOf)), " ", count);
  legend.after(form);
  const apply = () => {
    const status = form.elements.status.value;
    const chapter = form.elements.chapter.value;
    let shown = 0;
    for (const table of tables) {
      let visible = 0;
      for (const row of rows(table)) {
        const keep = (!status || statusOf(row) === status) && (!chapter || chapterOf(table) === chapter);
        row.style.display = keep ? "" : "none";
        visible += keep;
      }
      table.style.display = visible ? "" : "none";
      shown += visible;
    }
    count.textContent = `${shown} row${shown === 1 ? "" : "s"} shown`;
  };
  form.addEventListener("change", apply);
  apply();
});
