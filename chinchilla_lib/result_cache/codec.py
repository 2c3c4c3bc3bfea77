"""The format of a stored result: tagged JSON, read back as data only, every value exactly as it was.

Reading a stored result never runs code and never imports a module it names: :func:`loads` builds
only the values listed here, and instances of the classes marked with :func:`storable`, looked up by
name in that list. Every float comes back to the bit and every dtype, index and column as it was.

JSON's own values (null, true and false, integers, strings, lists) stand for themselves; every JSON
object is ``{"$": TAG, ...}``, one of

* ``float``: a float JSON cannot write (NaN, the infinities), by its 64 bits in hexadecimal; any
  other float is a JSON number, the shortest text that reads back to the same bits;
* ``tuple`` and ``dict`` (``items``: the items, or the key and value pairs in order; keys of any of
  these types);
* ``ndarray``: ``dtype`` (numpy's text, such as ``<f8``), ``shape`` and the raw ``bytes`` (base64),
  or ``items`` one by one for an array of objects; ``numpy``: a numpy scalar, ``dtype`` and ``bytes``;
* ``DataFrame``, ``Series``, ``Index``, ``RangeIndex``, ``MultiIndex``, ``CategoricalIndex``: values,
  index, columns, names and ``attrs``, each column with its dtype: a numpy dtype (an ``ndarray``),
  ``categorical`` (categories, codes, ordered) or ``strings`` (pandas' string dtype: its storage,
  its missing value and the texts);
* ``object``: an instance of a class marked with :func:`storable`, by the class's qualified name and
  its fields.

Anything else (a set, a function, an unmarked class, another pandas dtype such as dates with a time
zone) makes :func:`dumps` raise TypeError. :func:`loads` raises an error (ValueError, or whatever
the damaged text leads to) for anything it did not write: a tag, class or dtype outside this list,
missing or extra keys, bytes that do not fit a shape.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import re
import struct
from collections.abc import Callable
from typing import TypeVar

__all__ = ["storable", "dumps", "loads"]

T = TypeVar("T")

#: The classes a stored result may hold, by qualified name (:func:`storable`); nothing else is built.
_CLASSES: dict[str, type] = {}


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def storable(cls: type[T]) -> type[T]:
    """Mark a dataclass of the library as one a stored result may hold (a class decorator).

    An instance is stored as its class's qualified name and its fields, and read back by setting
    those fields on a new instance, without calling ``__init__`` (the stored values are the
    validated ones). Only marked classes are ever built from a file; an instance with attributes
    that are not fields is not stored.
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"storable marks dataclasses, got {cls!r}")
    _CLASSES[_qualified(cls)] = cls
    return cls


_FLOAT_BITS = re.compile(r"[0-9a-f]{16}")
#: numpy dtypes stored as raw bytes: booleans, integers, floats, complex, fixed-width text, dates.
_DTYPE = re.compile(r"[<>|][biufcUSmM][0-9]+(\[[0-9A-Za-z]+\])?")


def _bytes_dtype(text):
    import numpy as np

    if not (isinstance(text, str) and _DTYPE.fullmatch(text)):
        raise ValueError(f"not a stored dtype: {text!r}")
    return np.dtype(text)


def _raw_dtype(dtype) -> str:
    """The text of a dtype stored as raw bytes; TypeError for any other (objects, structured, void)."""
    if not _DTYPE.fullmatch(dtype.str):
        raise TypeError(f"an array of dtype {dtype} cannot be stored")
    return dtype.str


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text) -> bytes:
    if not isinstance(text, str):
        raise ValueError("bytes must be base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _encode(value):
    """``value`` as JSON-ready data (see the module's description); TypeError for anything else."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if math.isfinite(value):  # JSON's number, written by repr: reads back to the same bits
            return value
        return {"$": "float", "bits": struct.pack(">d", value).hex()}
    if kind is list:
        return [_encode(v) for v in value]
    if kind is tuple:
        return {"$": "tuple", "items": [_encode(v) for v in value]}
    if kind is dict:
        return {"$": "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if _CLASSES.get(_qualified(kind)) is kind:
        return _encode_object(value)
    module = getattr(kind, "__module__", "") or ""
    if module.partition(".")[0] == "numpy":
        return _encode_numpy(value)
    if module.partition(".")[0] == "pandas":
        return _encode_pandas(value)
    raise TypeError(f"a {_qualified(kind)} cannot be stored")


def _encode_object(value):
    names = [f.name for f in dataclasses.fields(value)]
    extra = set(getattr(value, "__dict__", {})) - set(names)
    if extra:
        raise TypeError(f"a {_qualified(type(value))} with attributes besides its fields ({sorted(extra)}) "
                        "cannot be stored")
    return {"$": "object", "class": _qualified(type(value)),
            "fields": {name: _encode(getattr(value, name)) for name in names}}


def _encode_numpy(value):
    import numpy as np

    if type(value) is np.ndarray:
        if value.dtype == object:
            return {"$": "ndarray", "dtype": "|O", "shape": list(value.shape),
                    "items": [_encode(v) for v in value.reshape(-1)]}
        return {"$": "ndarray", "dtype": _raw_dtype(value.dtype), "shape": list(value.shape),
                "bytes": _b64(np.ascontiguousarray(value).tobytes())}
    if isinstance(value, np.generic) and value.dtype != object:
        return {"$": "numpy", "dtype": _raw_dtype(value.dtype), "bytes": _b64(value.tobytes())}
    raise TypeError(f"a {_qualified(type(value))} cannot be stored")


def _encode_values(values):
    """The values of a Series or an Index with their dtype: a numpy dtype, categorical or pandas' strings."""
    import numpy as np
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        return _encode_numpy(values.to_numpy(copy=False))
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array
        return {"$": "categorical", "categories": _encode_pandas(cat.categories), "ordered": bool(cat.ordered),
                "codes": _encode_numpy(np.asarray(cat.codes))}
    if isinstance(dtype, pd.StringDtype):
        na = dtype.na_value
        missing = "NA" if na is pd.NA else "nan" if isinstance(na, float) and na != na else None
        if missing is None:
            raise TypeError(f"a string column with missing value {na!r} cannot be stored")
        items = [str(v) if isinstance(v, str) else None for v in values.array]
        if any(v is None and not pd.isna(o) for v, o in zip(items, values.array)):
            raise TypeError("a string column holding something other than text or a missing value cannot be stored")
        return {"$": "strings", "storage": dtype.storage, "missing": missing, "items": items}
    raise TypeError(f"a pandas column of dtype {dtype} cannot be stored")


def _encode_pandas(value):
    import pandas as pd

    kind = type(value)
    if kind is pd.RangeIndex:
        return {"$": "RangeIndex", "start": value.start, "stop": value.stop, "step": value.step,
                "name": _encode(value.name)}
    if kind is pd.MultiIndex:
        return {"$": "MultiIndex", "levels": [_encode_pandas(level) for level in value.levels],
                "codes": [_encode_numpy(codes) for codes in value.codes], "names": [_encode(n) for n in value.names]}
    if kind in (pd.Index, pd.CategoricalIndex):
        return {"$": kind.__name__, "values": _encode_values(value), "name": _encode(value.name)}
    if kind is pd.Series:
        return {"$": "Series", "values": _encode_values(value), "index": _encode_pandas(value.index),
                "name": _encode(value.name), "attrs": _encode(dict(value.attrs))}
    if kind is pd.DataFrame:
        return {"$": "DataFrame", "columns": _encode_pandas(value.columns), "index": _encode_pandas(value.index),
                "values": [_encode_values(value.iloc[:, i]) for i in range(value.shape[1])],
                "attrs": _encode(dict(value.attrs))}
    raise TypeError(f"a {_qualified(kind)} cannot be stored")


def _parts(node: dict, *keys: str) -> list:
    """The values of ``keys`` in a tagged node, refused unless it holds exactly those keys and its tag."""
    if set(node) != {"$", *keys}:
        raise ValueError(f"a {node['$']!r} node holds {sorted(node)}, not {sorted(keys)}")
    return [node[k] for k in keys]


def _decode(node):
    """The value a node of :func:`_encode` stands for; ValueError (or another error) for anything else."""
    if node is None or type(node) in (bool, int, float, str):
        return node
    if type(node) is list:
        return [_decode(v) for v in node]
    if type(node) is not dict:
        raise ValueError(f"not a stored value: {type(node).__name__}")
    decode = _DECODERS.get(node.get("$")) if isinstance(node.get("$"), str) else None
    if decode is None:
        raise ValueError(f"unknown tag {node.get('$')!r}")
    return decode(node)


def _decode_float(node):
    (bits,) = _parts(node, "bits")
    if not (isinstance(bits, str) and _FLOAT_BITS.fullmatch(bits)):
        raise ValueError(f"not the bits of a float: {bits!r}")
    return struct.unpack(">d", bytes.fromhex(bits))[0]


def _decode_items(node) -> list:
    (items,) = _parts(node, "items")
    if type(items) is not list:
        raise ValueError("items must be a list")
    return items


def _decode_dict(node):
    pairs = _decode_items(node)
    if not all(type(p) is list and len(p) == 2 for p in pairs):
        raise ValueError("a dict's items must be pairs")
    return {_decode(k): _decode(v) for k, v in pairs}


def _decode_object(node):
    name, fields = _parts(node, "class", "fields")
    cls = _CLASSES.get(name) if isinstance(name, str) else None  # a marked class, never an import
    if cls is None:
        raise ValueError(f"{name!r} is not a class a stored result may hold")
    if type(fields) is not dict or set(fields) != {f.name for f in dataclasses.fields(cls)}:
        raise ValueError(f"the stored fields of {name} are not its fields")
    obj = object.__new__(cls)
    for key, value in fields.items():
        object.__setattr__(obj, key, _decode(value))
    return obj


def _shape(shape) -> tuple[int, ...]:
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError(f"not a shape: {shape!r}")
    return tuple(shape)


def _decode_ndarray(node):
    import numpy as np

    if "items" in node:
        dtype, shape, items = _parts(node, "dtype", "shape", "items")
        shape = _shape(shape)
        if dtype != "|O" or type(items) is not list or len(items) != math.prod(shape):
            raise ValueError("an object array's dtype, shape and items disagree")
        out = np.empty(shape, dtype=object)
        flat = out.reshape(-1)
        for i, item in enumerate(items):
            flat[i] = _decode(item)
        return out
    dtype, shape, raw = _parts(node, "dtype", "shape", "bytes")
    dtype, shape, raw = _bytes_dtype(dtype), _shape(shape), _unb64(raw)
    if len(raw) != dtype.itemsize * math.prod(shape):
        raise ValueError("an array's bytes do not match its dtype and shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _decode_numpy(node):
    import numpy as np

    dtype, raw = _parts(node, "dtype", "bytes")
    dtype, raw = _bytes_dtype(dtype), _unb64(raw)
    if len(raw) != dtype.itemsize:
        raise ValueError("a numpy scalar's bytes do not match its dtype")
    return np.frombuffer(raw, dtype=dtype)[0]


def _decode_values(node):
    """A numpy array, Categorical or string array, from :func:`_encode_values`."""
    import numpy as np
    import pandas as pd

    tag = node.get("$") if type(node) is dict else None
    if tag == "ndarray":
        return _decode_ndarray(node)
    if tag == "categorical":
        categories, ordered, codes = _parts(node, "categories", "ordered", "codes")
        if type(ordered) is not bool:
            raise ValueError("ordered must be true or false")
        categories, codes = _decode(categories), _decode_ndarray(codes)
        if not isinstance(categories, pd.Index) or codes.ndim != 1 or codes.dtype.kind != "i":
            raise ValueError("a categorical's categories or codes are not stored ones")
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories, ordered=ordered))
    if tag == "strings":
        storage, missing, items = _parts(node, "storage", "missing", "items")
        if storage not in ("python", "pyarrow") or missing not in ("NA", "nan") or type(items) is not list \
                or not all(v is None or type(v) is str for v in items):
            raise ValueError("not a stored string column")
        dtype = pd.StringDtype(storage=storage, na_value=pd.NA if missing == "NA" else np.nan)
        return pd.array(items, dtype=dtype)
    raise ValueError(f"not stored values: {tag!r}")


def _decode_index(node):
    import pandas as pd

    value = _decode(node)
    if not isinstance(value, pd.Index):
        raise ValueError("an index or columns node does not hold an index")
    return value


def _decode_range_index(node):
    import pandas as pd

    start, stop, step, name = _parts(node, "start", "stop", "step", "name")
    if not all(type(v) is int for v in (start, stop, step)):
        raise ValueError("a RangeIndex's start, stop and step must be integers")
    return pd.RangeIndex(start, stop, step, name=_decode(name))


def _decode_multi_index(node):
    import pandas as pd

    levels, codes, names = _parts(node, "levels", "codes", "names")
    if not (type(levels) is type(codes) is type(names) is list and len(levels) == len(codes) == len(names)):
        raise ValueError("a MultiIndex's levels, codes and names disagree")
    return pd.MultiIndex(levels=[_decode_index(v) for v in levels], codes=[_decode_ndarray(c) for c in codes],
                         names=[_decode(n) for n in names], verify_integrity=True)


def _decode_plain_index(node):
    import pandas as pd

    values, name = _parts(node, "values", "name")
    values = _decode_values(values)
    out = pd.Index(values, dtype=values.dtype, name=_decode(name), copy=False)
    if type(out) is not {"Index": pd.Index, "CategoricalIndex": pd.CategoricalIndex}[node["$"]]:
        raise ValueError(f"the stored values do not make a {node['$']}")
    return out


def _attrs(node) -> dict:
    attrs = _decode(node)
    if type(attrs) is not dict:
        raise ValueError("attrs must be a dict")
    return attrs


def _decode_series(node):
    import pandas as pd

    values, index, name, attrs = _parts(node, "values", "index", "name", "attrs")
    values = _decode_values(values)
    out = pd.Series(values, index=_decode_index(index), dtype=values.dtype, name=_decode(name), copy=False)
    out.attrs.update(_attrs(attrs))
    return out


def _decode_frame(node):
    import pandas as pd

    columns, index, values, attrs = _parts(node, "columns", "index", "values", "attrs")
    columns, index = _decode_index(columns), _decode_index(index)
    if type(values) is not list or len(values) != len(columns):
        raise ValueError("a DataFrame's columns and values disagree")
    arrays = [_decode_values(v) for v in values]
    if any(a.ndim != 1 or len(a) != len(index) for a in arrays):
        raise ValueError("a DataFrame's column does not match its index")
    out = pd.DataFrame({i: pd.Series(a, dtype=a.dtype, copy=False) for i, a in enumerate(arrays)},
                       index=pd.RangeIndex(len(index)))
    out.index, out.columns = index, columns
    out.attrs.update(_attrs(attrs))
    return out


_DECODERS: dict[str, Callable] = {
    "float": _decode_float, "tuple": lambda node: tuple(_decode(v) for v in _decode_items(node)),
    "dict": _decode_dict, "object": _decode_object, "ndarray": _decode_ndarray, "numpy": _decode_numpy,
    "RangeIndex": _decode_range_index, "MultiIndex": _decode_multi_index, "Index": _decode_plain_index,
    "CategoricalIndex": _decode_plain_index, "Series": _decode_series, "DataFrame": _decode_frame,
}


def dumps(value) -> bytes:
    """The stored form of ``value``; TypeError when it holds something that cannot be stored."""
    return json.dumps(_encode(value), allow_nan=False, separators=(",", ":")).encode()


def loads(data: bytes):
    """The value of a stored file; an error of some kind for a file :func:`dumps` did not write."""
    def refuse(constant):
        raise ValueError(f"{constant} is not stored as a JSON constant")

    return _decode(json.loads(data.decode("utf-8"), parse_constant=refuse))
