"""The post-event report: partner sections, figures, charts, the report PDF and the organiser exports."""
