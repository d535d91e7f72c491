"""``manage.py extract_nexus FILE [--json]``: print what the extractor reads from a NeXus file."""

import json

from django.core.management.base import BaseCommand, CommandError

from datasets.nexus import DatasetSummary, ExtractionLimits, NexusError, extract


class Command(BaseCommand):
    """Summarise one NeXus/HDF5 file as readable text or JSON."""

    help = "Summarise a NeXus/HDF5 file (structure and small values only; links not followed)."

    def add_arguments(self, parser):
        """FILE, --json and --checksum."""
        parser.add_argument("file", help="path of the NeXus/HDF5 file")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--checksum", action="store_true", help="also compute its SHA-256")

    def handle(self, *args, **options):
        """Extract and print; a file that cannot be read is a one-line CommandError."""
        try:
            summary = extract(options["file"], ExtractionLimits(checksum=options["checksum"]))
        except NexusError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.to_dict(), indent=2, default=str))
        else:
            self.stdout.write("\n".join(render_text(summary)))


def render_text(summary: DatasetSummary) -> list[str]:
    """The summary as lines for people: headline facts, then parameters, links and warnings."""
    source = summary.source or {}
    sample = summary.sample or {}
    lines = [
        f"file:         {summary.path} ({summary.file_size} bytes)",
        f"definitions:  {', '.join(summary.definition_names) or '-'}",
        f"entries:      {', '.join(summary.entries) or '-'}",
        f"title:        {summary.title or '-'}",
        f"time:         {summary.start_time or '?'} .. {summary.end_time or '?'}",
        f"instruments:  {', '.join(summary.instruments) or '-'}",
        f"source:       {source.get('name') or '-'} (probe: {source.get('probe') or '?'})",
        f"facility:     {summary.facility or '-'}",
        f"sample:       {sample.get('name') or '-'} {sample.get('chemical_formula') or ''}".rstrip(),
        f"detectors:    {', '.join(summary.detectors) or '-'}",
        f"groups:       {len(summary.groups)}, fields: {len(summary.fields)}",
    ]
    if summary.sha256:
        lines.append(f"sha256:       {summary.sha256}")
    plot = summary.default_plot
    lines.append(
        f"default plot: {plot['signal'] + ' vs ' + ', '.join(plot['axes']) if plot else '-'}"
    )
    lines += [_parameter_line(item) for item in summary.parameters]
    lines += [
        f"external link: {i['path']} -> {i['file']}:{i['target']} (not followed)"
        for i in summary.external_links
    ]
    lines += [f"warning: {warning}" for warning in summary.warnings]
    if summary.truncated:
        lines.append("TRUNCATED: the file has more nodes than max_nodes")
    return lines


def _parameter_line(item: dict) -> str:
    si = f" = {item['si_value']:.6g} {item['si_unit']}" if item.get("si_value") is not None else ""
    return (
        f"parameter:    {item['name']} {item['value']} {item['unit'] or ''}{si}  [{item['path']}]"
    )
