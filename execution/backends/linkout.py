"""Link-out backends: BinderHub and VISA. The run's output is the launch URL; it is COMPLETE at once."""

from urllib.parse import quote, urlencode, urlparse

from django.conf import settings

from execution.backends.base import Backend, BackendInfo, Status, Submission
from execution.choices import RunState


def binder_url(version, base: str) -> str:
    """BinderHub launch URL: the GitHub provider for github.com, the git provider otherwise."""
    repository = version.code_repository
    parsed = urlparse(repository)
    query = urlencode({"labpath": version.entry_point})
    if parsed.netloc == "github.com":
        org_repo = parsed.path.strip("/").removesuffix(".git")
        return f"{base.rstrip('/')}/v2/gh/{org_repo}/{version.code_commit}?{query}"
    return f"{base.rstrip('/')}/v2/git/{quote(repository, safe='')}/{version.code_commit}?{query}"


def visa_url(version, dataset_path: str, base: str) -> str:
    """VISA launch URL: a new instance with the version's image, code and data."""
    query = urlencode(
        {
            "image": version.container_image,
            "repository": version.code_repository,
            "commit": version.code_commit,
            "entry_point": version.entry_point,
            "dataset": dataset_path,
        }
    )
    return f"{base.rstrip('/')}/instances/new?{query}"


class LinkOutBackend(Backend):
    """A backend that only builds a URL for the user to open elsewhere."""

    def launch_url(self, run) -> str:
        """The URL that starts the version elsewhere."""
        raise NotImplementedError

    def submit(self, run) -> Submission:
        """Build the URL; nothing runs here, so the run is COMPLETE at once."""
        url = self.launch_url(run)
        return Submission(
            external_id=f"{self.name}:{run.id}",
            external_url=url,
            state=RunState.COMPLETE,
            log=f"Open {url}",
        )

    def poll(self, run) -> Status:
        """Always COMPLETE: the link is the result."""
        return Status(state=RunState.COMPLETE, external_url=run.external_url)

    def cancel(self, run) -> None:
        """Nothing to stop."""

    def describe(self) -> BackendInfo:
        """A link to another service."""
        return BackendInfo(name=self.name, label=self.name, link_out=True)


class BinderBackend(LinkOutBackend):
    """Launch on a BinderHub (BINDER_URL)."""

    name = "binder"

    def launch_url(self, run) -> str:
        """The BinderHub URL of the version."""
        return binder_url(run.version, settings.BINDER_URL)


class VisaBackend(LinkOutBackend):
    """Launch in a VISA virtual research environment (VISA_URL)."""

    name = "visa"

    def launch_url(self, run) -> str:
        """The VISA URL of the version and dataset."""
        return visa_url(run.version, run.dataset_path, settings.VISA_URL)
