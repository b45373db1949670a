"""DELETE /lists/{id}: remove a saved list at once; its members go in the background."""

from leadlists.api import SavedListId, handler
from leadlists.routes import delete_app
from leadlists.services import saved_list_delete

app = delete_app(
    "delete_list",
    "/lists/<id>",
    "Delete a saved list",
    SavedListId,
    "Neither the list's creator nor an admin",
    saved_list_delete.delete,
)
lambda_handler = handler(app)
