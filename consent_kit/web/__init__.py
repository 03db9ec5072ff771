"""The app shell: security headers, error pages, template extras and helpers the blueprints share."""
