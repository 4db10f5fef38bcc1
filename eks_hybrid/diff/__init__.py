"""`eks-hybrid diff`: what merging a change would do to every stack, as a reviewer reads it.

Layers, each importable on its own:

- `sources.load_side`: one side of the diff (a plan JSON file, a stacks directory or a git revision) as a
  `PlanSet`; `SourceError` when it cannot be had;
- `values`: property-level differences between two JSON values; `replacements`: which of them replace
  the resource (the table in `replacements.json`);
- `engine.diff_plans`: two `PlanSet`s compared stack by stack and resource by resource;
- `report.compare`: the whole `DiffReport` (changes, `danger`'s dangerous ones, the merged topology);
- `format.to_text` / `format.to_markdown`: a report as plain text or as a pull request comment;
- `sample`: the sample pull request comment of docs/guides/pr-review.md, generated from the example stacks.

Nothing is imported here: `sources` loads the planner and Pulumi, which the CLI imports only when a command
needs them, so `eks-hybrid --help` stays quick (tests/speed).
"""
