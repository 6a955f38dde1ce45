"""The stored proposal of a matching run as a type (``models/matching_runs.py``).

No database: the type is plain data with its edits; the admin tests in
``tests/admin/test_matching_workflow.py`` drive it through the views.
"""

from wagtail_selvhjelp.choices import CoordinatorReason
from wagtail_selvhjelp.matching import MatchResult, ProposedGroup, UnplacedReason
from wagtail_selvhjelp.models import MatchingRun
from wagtail_selvhjelp.models.matching_runs import Proposal, StoredGroup, StoredReason


def group(members, **fields):
    data = {
        "members": members,
        "place": "1",
        "slot": "2",
        "topic": None,
        "gender": None,
        "open_group": None,
        "kept": False,
    }
    return data | fields


STORED = {
    "groups": [group([1, 2, 3, 4], topic="5", kept=True), group([6, 7], open_group=9)],
    "unplaced": {
        "8": {"code": "too_few", "params": {"others": 0, "min_size": 4}},
        "10": {"code": "left_out", "params": {}},
    },
    "upper_bound": 7,
    "candidates": 8,
    "created": [11],
    "dropped": [group([12, 13], place="3")],
}


def proposal():
    return Proposal.from_json(STORED, excluded=[10])


def test_round_trip_keeps_the_stored_shape():
    assert proposal().to_json() == STORED
    assert proposal().created == [11]
    assert proposal().excluded == [10]
    assert list(proposal().unplaced) == [8, 10]


def test_rows_written_before_a_key_existed_still_read():
    old = Proposal.from_json({"groups": [{"members": [1, 2]}], "unplaced": {}})
    assert old.groups == [StoredGroup(members=[1, 2])]
    assert (old.upper_bound, old.candidates, old.excluded) == (0, 0, [])
    assert Proposal.from_json({}) == Proposal()
    assert Proposal.from_json(None) == Proposal()


def test_the_run_reads_and_writes_through_the_type():
    run = MatchingRun(proposal=STORED, excluded=[10])
    loaded = run.get_proposal()
    assert loaded == proposal()
    loaded.include(10)
    assert run.excluded == [10], "a copy: the run changes only when set"
    run.set_proposal(loaded)
    assert run.excluded == [] and run.proposal == STORED


def test_placed_and_kept():
    assert proposal().placed == {1, 2, 3, 4, 6, 7}
    assert [g.members for g in proposal().kept_groups] == [[1, 2, 3, 4]]
    assert proposal().has_group(1) and not proposal().has_group(2)
    assert not proposal().has_group(None) and not proposal().has_group(-1)


def test_a_group_goes_to_the_engine_and_back():
    stored = StoredGroup.from_json(group([6, 7], open_group=9))
    engine = stored.to_engine()
    assert engine == ProposedGroup(members=(6, 7), place="1", slot="2", open_group=9)
    assert StoredGroup.from_engine(engine) == stored


def test_renewed_keeps_kept_groups_and_the_people_left_out():
    result = MatchResult(
        groups=[ProposedGroup(members=(11, 12, 13, 14), place="1", slot="2")],
        unplaced={15: UnplacedReason("too_few", "message", {"others": 0})},
        upper_bound=5,
    )
    renewed = proposal().renewed(result, candidates=5)
    assert [g.members for g in renewed.groups] == [[1, 2, 3, 4], [11, 12, 13, 14]]
    assert renewed.unplaced == {
        15: StoredReason("too_few", {"others": 0}),
        10: StoredReason(CoordinatorReason.LEFT_OUT),
    }
    assert (renewed.upper_bound, renewed.candidates) == (9, 9)
    assert renewed.excluded == [10]


def test_leave_out():
    edited = proposal()
    assert edited.leave_out(1, 6)
    assert edited.groups[1].members == [7]
    assert edited.excluded == [10, 6]
    assert edited.unplaced[6].left_out
    assert edited.leave_out(1, 7)
    assert len(edited.groups) == 1, "an empty proposal goes"
    assert not edited.leave_out(0, 99)
    assert edited.excluded == [10, 6, 7]


def test_exclude_only_someone_unplaced_and_include_again():
    edited = proposal()
    assert not edited.exclude(1), "in a group: leave_out is the edit"
    assert edited.exclude(8)
    assert edited.excluded == [10, 8] and edited.unplaced[8].left_out
    assert edited.include(8) and edited.excluded == [10]
    assert edited.unplaced[8].left_out, "until the next run"
    assert not edited.include(8)


def test_drop_and_keep():
    edited = proposal()
    assert edited.toggle_keep(1) and edited.groups[1].kept
    assert edited.toggle_keep(1) and not edited.groups[1].kept
    assert edited.drop(0)
    assert [g.members for g in edited.groups] == [[6, 7]]
    assert {pk: r.code for pk, r in edited.unplaced.items() if pk < 5} == dict.fromkeys(
        [1, 2, 3, 4], CoordinatorReason.DROPPED
    )
    assert edited.to_json()["unplaced"]["1"] == {"code": "dropped", "params": {}}


def test_remove_created():
    edited = proposal()
    edited.unplaced[6] = StoredReason(CoordinatorReason.DROPPED)
    edited.remove_created([1])
    assert [g.members for g in edited.groups] == [[1, 2, 3, 4]]
    assert 6 not in edited.unplaced


def test_forget_takes_ids_out_everywhere():
    edited = proposal()
    assert edited.forget([2, 8, 10])
    assert edited.groups[0].members == [1, 3, 4]
    assert edited.unplaced == {}
    assert edited.excluded == []
    assert not edited.forget([99])
