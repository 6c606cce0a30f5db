"""The label template Station gives karrio-generic when its settings name none.

Karrio renders the generic carrier's label by filling a Jinja template with the shipment
and parsing the result as SVG, then drawing a PDF/PNG or writing ZPL from it. Its default
template pastes names in unescaped, so "Kete & Co" makes the SVG unreadable and the
shipment fails; its ZPL writer puts text into ``^FD`` fields as is, so "^XZ" in an address
would end the label early. Every value here goes through ``t()``: XML-escaped, with ``^``
and ``~`` (ZPL's command prefixes) replaced by spaces. The template is data for Karrio's
renderer, which only understands top-level ``text``, ``line`` and barcode ``g`` elements,
each ``text`` with a ``style`` giving its font size.
"""

from __future__ import annotations

GENERIC_LABEL_TEMPLATE = """\
{%- macro t(value) -%}
{{ (value or '') | string | replace('^', ' ') | replace('~', ' ') | e }}
{%- endmacro -%}
{%- set s = shipment.shipper -%}
{%- set r = shipment.recipient -%}
<svg viewBox="0 0 1200 1800" xmlns="http://www.w3.org/2000/svg" width="4in" height="6in">
    <text x="30" y="60" fill="black" style="font-size: 36; font-weight: bold">FROM: {{ t(s.get('company_name') or s.get('person_name')) }}</text>
    <text x="30" y="110" fill="black" style="font-size: 30;">{{ t(s.get('address_line1')) }}</text>
    <text x="30" y="160" fill="black" style="font-size: 30;">{{ t(s.get('city')) }} {{ t(s.get('postal_code')) }} {{ t(s.get('country_code')) }}</text>
    <text x="800" y="60" fill="black" style="font-size: 40; font-weight: bold">{{ t(carrier.get('display_name')) }}</text>
    <line x1="20" y1="200" x2="1170" y2="200" stroke="black" stroke-width="3" />
    <text x="30" y="290" fill="black" style="font-size: 50; font-weight: bold">TO: {{ t(r.get('person_name')) }}</text>
    <text x="110" y="360" fill="black" style="font-size: 40;">{{ t(r.get('company_name')) }}</text>
    <text x="110" y="420" fill="black" style="font-size: 40;">{{ t(r.get('address_line1')) }}</text>
    <text x="110" y="480" fill="black" style="font-size: 40;">{{ t(r.get('address_line2')) }}</text>
    <text x="110" y="560" fill="black" style="font-size: 50; font-weight: bold">{{ t(r.get('city')) }} {{ t(r.get('postal_code')) }}</text>
    <text x="110" y="620" fill="black" style="font-size: 40;">{{ t(r.get('state_code')) }} {{ t(r.get('country_code')) }}</text>
    <line x1="20" y1="680" x2="1170" y2="680" stroke="black" stroke-width="3" />
    <text x="30" y="780" fill="black" style="font-size: 50; font-weight: bold">{{ t(service_name) }}</text>
    <text x="30" y="860" fill="black" style="font-size: 40;">PARCEL {{ package_index }} OF {{ total_packages }}</text>
    <text x="600" y="860" fill="black" style="font-size: 40;">REF: {{ t(shipment.get('reference')) }}</text>
    <line x1="20" y1="920" x2="1170" y2="920" stroke="black" stroke-width="3" />
    <g data-type="barcode" data-value="{{ t(tracking_number) }}" data-module-width="4" data-width-ratio="3"
        x="60" y="1000" width="1000" height="300" style="font-size: 40;">
    </g>
    <text x="60" y="1400" fill="black" style="font-size: 50; font-weight: bold">{{ t(tracking_number) }}</text>
</svg>
"""
