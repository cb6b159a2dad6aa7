"""Static files: collected under names that carry their content's hash, with compressed twins.

A page links the hashed name, cached for a year as immutable; the plain name (`/static/attune.js`, the
URL site owners paste) stays as a short-lived alias with the same bytes, so a new deploy reaches them
within a minute. WhiteNoise serves both, gzip (and Brotli, when installed) to clients that accept it."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed URLs from the manifest in every mode (the demo runs with DEBUG on); a file the manifest does not
    list (nothing collected yet, as in most tests) keeps its plain URL instead of failing the page."""

    def url(self, name, force=False):
        return super().url(name, force=True)

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # no manifest, or a file collected after it was written
            return name
