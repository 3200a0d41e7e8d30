// New assessment: the inspection fields are shown only when the kind is "inspection".
// Without JavaScript every field stays visible (the inspection ones say they are only for an inspection record).
document.addEventListener("DOMContentLoaded", () => {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const names = ["inspection_type", "visit_date", "inspection_authority", "inspection_team"];
  const rows = names.map((name) => document.querySelector(`[data-field="${name}"]`)).filter(Boolean);
  const sync = () => rows.forEach((row) => { row.hidden = kind.value !== "inspection"; });
  kind.addEventListener("change", sync);
  sync();
});
