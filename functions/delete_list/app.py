"""DELETE /lists/{id}: remove a saved list at once; its members go in the background."""

from leadlists.api import Response, SavedListId, create_app, current_caller, handler
from leadlists.services import saved_lists

app = create_app()


@app.delete(
    "/lists/<id>",
    summary="Delete a saved list",
    responses={
        200: {"description": "Deleted at once (members removed in the background); no body"},
        403: {
            "description": "Neither the list's creator nor an admin",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    },
)
def delete_list(id: SavedListId) -> Response[None]:
    saved_lists.delete(current_caller(app), id)
    return Response(200)


lambda_handler = handler(app)
