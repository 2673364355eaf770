"""The pieces that keep the report build fast stay correct: names isolated only where the bidi order needs it,
and the cycle collector back on after a build, nested or not."""

import gc

from eventapp.report.annex import AnnexOrganisation, needs_isolation
from eventapp.report.pdf import cycle_collector_paused


def test_only_names_that_could_reorder_the_list_are_isolated():
    for name in ("Quentin Listedperson", "Zoë Ñúñez-O'Brien", "李伟", "राम शर्मा", "Иван Петров", "<b>Mallory"):
        assert not needs_isolation(name), name
    for name in ("زينب الجبوري", "שרה כהן", "Sam ١٢٣", "abc\u202edef", "x\u2067y", "Ana\u200fB"):
        assert needs_isolation(name), name
    org = AnnexOrganisation(name="Org", kind="", country="", names=["Ann Lee", "زينب الجبوري", "Bo\u202eb"])
    assert org.names_text == "Ann Lee, \u2068زينب الجبوري\u2069, \u2068Bo\u202eb\u2069"


def test_the_cycle_collector_is_paused_during_a_build_and_back_on_after():
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer build is still running
    assert gc.isenabled()
    try:
        with cycle_collector_paused():
            raise RuntimeError("layout failed")
    except RuntimeError:
        pass
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
