"""The planner's look: its one stylesheet, scoped to ``.coprod-planner``."""

STYLE = """<style>
.coprod-planner .coprod-stacked { flex-direction: column; align-items: stretch; height: auto; }
.coprod-planner .coprod-stacked > .widget-label { max-width: none !important; width: auto !important;
  font-weight: 600; text-align: left; margin-bottom: .15rem; height: auto; }
.coprod-planner .widget-text.coprod-stacked input, .coprod-planner textarea { font-size: 1rem;
  font-family: inherit; }
.coprod-planner .coprod-stacked > select, .coprod-planner .coprod-stacked > input { flex: 0 0 auto; }
.coprod-planner .widget-dropdown.coprod-stacked select { font-size: 1rem; height: 2.2rem; }
.coprod-planner .widget-radio.coprod-stacked { width: 100%; }
.coprod-planner .widget-radio.coprod-stacked .widget-radio-box { flex-direction: row; flex-wrap: wrap;
  gap: .1rem 1.25rem; height: auto; }
.coprod-planner .widget-radio-box label, .coprod-planner .widget-checkbox label { font-size: 1rem;
  line-height: 1.6; }
.coprod-planner .widget-checkbox { width: 100%; height: auto; }
.coprod-planner .widget-button { align-self: flex-start; }
.coprod-planner .coprod-input-date, .coprod-planner .coprod-input-number { width: 11rem; }
.coprod-planner .coprod-line-fields, .coprod-planner .coprod-stage-dates,
.coprod-planner .coprod-buttons { flex-flow: row wrap; gap: 0 1rem; align-items: flex-start; }
.coprod-planner .coprod-line-fields .coprod-field-what { width: 18rem; }
.coprod-planner .coprod-line-fields .widget-dropdown { width: 13rem; }
.coprod-planner .coprod-stage-dates .coprod-input-date { width: 13rem; }
.coprod-planner .coprod-row { border: 1px solid #c8c8c8; border-radius: 6px; padding: .5rem .75rem;
  margin: .5rem 0; background: #fff; }
.coprod-planner .coprod-field-problem { color: #b00020; font-weight: 600; margin: .1rem 0; }
.coprod-planner .coprod-line-problem { color: #b00020; }
.coprod-planner .coprod-line-sum { font-weight: 600; }
.coprod-planner .coprod-note { color: #4d4d4d; }
.coprod-planner .coprod-left-out { border-left: 6px solid #b00020; background: #fdecee;
  padding: .25rem 1rem; margin: .5rem 0; }
.coprod-planner .coprod-pair { gap: 1rem; flex-wrap: wrap; }
.coprod-planner .coprod-pair > * { flex: 1 1 18rem; }
.coprod-planner table { border-collapse: collapse; margin: .5rem 0; }
.coprod-planner th, .coprod-planner td { border: 1px solid #ccc; padding: .2rem .5rem;
  text-align: left; vertical-align: top; }
.coprod-planner .coprod-figure { display: flex; flex-wrap: wrap; gap: 1rem; }
.coprod-planner .coprod-figure svg { max-width: 100%; height: auto; }
.coprod-planner section.coprod-part-head h2 { border-bottom: 2px solid #053061;
  padding-bottom: .15rem; margin-top: 2rem; }
.coprod-planner .coprod-mark { font-weight: 700; }
.coprod-planner > .coprod-save-status { position: sticky; bottom: 0; background: #fff;
  border-top: 1px solid #c8c8c8; padding: .1rem .5rem; z-index: 1; }
</style>"""
