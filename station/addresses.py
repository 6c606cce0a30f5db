"""A postal address: where a parcel goes or comes from, as carriers read it and labels print it.

One type for every layer: dispatch builds it from an order or the saved sender, carriers
send it to their APIs, shipping stores it with a consignment, and labels print it. The
module imports nothing of Station, so any of them can name it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Address:
    """A sender or receiver; ``country`` is an ISO code ("NZ", "AU") for carriers.

    Labels print every field but ``email``, which only carriers read (for tracking mail).
    """

    name: str
    company: str = ""
    lines: tuple[str, ...] = ()
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""

    @property
    def locality(self) -> str:
        """City, region and postcode on one line."""
        return " ".join(part for part in (self.city, self.region, self.postcode) if part)

    def label_address(self) -> Address:
        """This address as printed on a label: fields trimmed, blank lines and email dropped."""
        return replace(
            self,
            name=self.name.strip(),
            company=self.company.strip(),
            lines=tuple(line.strip() for line in self.lines if line.strip()),
            city=self.city.strip(),
            region=self.region.strip(),
            postcode=self.postcode.strip(),
            country=self.country.strip(),
            phone=self.phone.strip(),
            email="",
        )
