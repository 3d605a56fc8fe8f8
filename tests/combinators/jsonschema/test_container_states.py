"""Object and array states: the states a walk makes slot by slot are the ones the
constructors make."""

from __future__ import annotations

from lmparsec.combinators.jsonschema import JsonSchema


def test_states_made_slot_by_slot_match_their_constructor() -> None:
    """Objects and arrays make their walk states slot by slot (``_moved``), not
    through ``__init__``: every slot a constructor sets is set there too, alike."""
    from lmparsec.combinators.jsonschema.arrays import ArrayState
    from lmparsec.combinators.jsonschema.objects import ObjectState

    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}}
    obj = JsonSchema(schema).advance_text('{"a": ["x')
    assert isinstance(obj, ObjectState)
    arr = obj.child
    assert isinstance(arr, ArrayState)
    pairs = [
        (obj._moved(obj.phase, obj.ws, obj.cur, obj.child, obj.pn),
         ObjectState(obj.node, obj.depth, obj.phase, obj.ws, obj.seen, obj.pos, obj.count, obj.cur, obj.child,
                     obj.pn, obj.names)),
        (arr._moved(arr.phase, arr.ws, arr.child, arr.cchild, arr.text),
         ArrayState(arr.node, arr.depth, arr.phase, arr.ws, arr.index, arr.ccount, arr.child, arr.cchild,
                    arr.seen, arr.text)),
    ]
    for moved, made in pairs:
        slots = [s for cls in type(made).__mro__ for s in getattr(cls, "__slots__", ())]
        assert {s: getattr(moved, s) for s in slots} == {s: getattr(made, s) for s in slots}
        assert moved.key() == made.key()
