"""安置帮教: released prisoners from the pre-release notice to the end of the support period."""
