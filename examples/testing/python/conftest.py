"""pytest fixtures: one brook per test session, reset before each test that uses `brook`
(milliseconds), and `brook_manual_clock` for tests that make time pass."""
import pytest

from brook_broker import BrookBroker


@pytest.fixture(scope="session")
def brook_session():
    broker = BrookBroker.start()
    yield broker
    broker.stop()


@pytest.fixture
def brook(brook_session):
    brook_session.reset()
    return brook_session


@pytest.fixture
def brook_manual_clock():
    broker = BrookBroker.start(manual_clock=True)
    yield broker
    broker.stop()
