"""SQS consumer of background exports: writes one export's CSV per message; after the last
failed attempt marks the export failed. Reports failures per record."""

from leadlists.consumer import Step, handler
from leadlists.models.export_message import ExportMessage
from leadlists.services import export_jobs

lambda_handler = handler({ExportMessage: Step(export_jobs.run, export_jobs.give_up)})
