"""The administrators' portal: pages, templates and static assets."""
