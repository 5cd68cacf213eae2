"""The benchmark inputs, shared by the timing and memory scripts.

All are built the way MicroStrategy's own writers spell them, so the fast paths a real
document takes are the ones measured.
"""

from __future__ import annotations

ATTRIBUTE = "8D679D3711D3E4981000E787EC6DE8A4"


def guid(n: int) -> str:
    """A distinct 32-hex-digit GUID for ``n``."""
    return f"{n:032X}"


def _element_pa(did: str, count: int, start: int = 0) -> str:
    elements = "".join(
        f'<e ei="{ATTRIBUTE}:{k}" emt="1" art="1" disp_n="Element {k}"></e>'
        for k in range(start, start + count)
    )
    return (
        f'<pa pt="7" pin="0" did="{did}" tp="10"><mi><es>'
        f'<at did="{ATTRIBUTE}" tp="12"></at>{elements}</es></mi></pa>'
    )


def mixed_prompts(count: int = 1000) -> str:
    """``count`` prompts mixing value (text and date), element and object answers."""
    parts = ["<rsl>"]
    for n in range(count):
        did = guid(n)
        family = n % 4
        if family == 0:
            parts.append(f'<pa pt="3" pin="0" did="{did}" tp="10">value {n}</pa>')
        elif family == 1:
            parts.append(_element_pa(did, 5))
        elif family == 2:
            parts.append(
                f'<pa pt="6" pin="0" did="{did}" tp="10"><mi><fct qsr="0" fcn="0" cc="2" '
                f'sto="1" pfc="0" pcc="2"><mt did="{guid(n + 5000)}" tp="4" n="Revenue"></mt>'
                f'<at did="{ATTRIBUTE}" tp="12" n="Category"></at></fct></mi></pa>'
            )
        else:
            parts.append(f'<pa pt="5" pin="0" did="{did}" tp="10">1/{n % 28 + 1}/2024</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def value_prompts(count: int = 1000) -> str:
    """``count`` value prompts (text, numbers and dates)."""
    parts = ["<rsl>"]
    for n in range(count):
        pt, text = ((3, f"value {n}"), (2, str(n * 7)), (5, f"1/{n % 28 + 1}/2024"))[n % 3]
        parts.append(f'<pa pt="{pt}" pin="0" did="{guid(n)}" tp="10">{text}</pa>')
    parts.append("</rsl>")
    return "".join(parts)


def many_elements(count: int = 10000) -> str:
    """One element prompt answered with ``count`` elements."""
    return f"<rsl>{_element_pa(guid(1), count)}</rsl>"


def elements_query(prompts: int = 10, per_prompt: int = 100, *, names: bool = True) -> str:
    """A Web query whose ``elementsPromptAnswers`` answers ``prompts`` element prompts
    (each element with a display name ``^Element k`` unless ``names`` is False)."""
    answers = []
    for p in range(prompts):
        attribute = f"{p:08X}11D3E4981000E787EC6DE8A4"
        name = "%5EElement%20{k}" if names else ""
        elements = ";".join(f"{attribute}:{k}" + name.format(k=k) for k in range(per_prompt))
        answers.append(f"{attribute};{elements}")
    return (
        "evt=4001&src=mstrWeb.4001&reportID=4CF6D88A4588097466A4B7B8851A161F"
        "&elementsPromptAnswers=" + ",".join(answers)
    )


def big_xml(megabytes: int) -> str:
    """About ``megabytes`` MB of XML: element prompts of 10,000 elements each."""
    one = len(_element_pa(guid(0), 10000))
    count = max(1, megabytes * 1_000_000 // one)
    return (
        "<rsl>" + "".join(_element_pa(guid(n), 10000, n * 10000) for n in range(count)) + "</rsl>"
    )


XML_WORKLOADS = {
    "1,000 prompts (value, element, object)": mixed_prompts,
    "1,000 value prompts": value_prompts,
    "1 prompt, 10,000 elements": many_elements,
}
