"""The benchmarks: every figure beside its baseline, measured in the same run.

Run from the repository root: `python -m bench` (everything; several minutes), or some parts,
`python -m bench reports cli`; `--quick` for fewer repetitions and smaller data, `--json PATH`
for where the JSON goes (the Markdown table goes beside it as PATH with .md; by default
bench/results.json and bench/RESULTS.md). Each part is a module here with `figures(quick)`.
"""
