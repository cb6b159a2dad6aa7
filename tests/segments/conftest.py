import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def one_thread_per_test():
    """Run scikit-learn single-threaded: on a shared, oversubscribed machine OpenMP's spinning threads make small
    fits up to 20 times slower, and these tests fit small samples where a second thread gains nothing."""
    with threadpool_limits(limits=1):
        yield
