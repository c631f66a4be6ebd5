"""Documents rendered by the worker: review form, rosters, fee lists, pre-filled templates."""
