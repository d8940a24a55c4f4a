"""The administration's forms for facilities, places and out-of-service periods."""

from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from belegung import texts
from belegung.facilities.models import (
    FacilityKind,
    FacilityStatus,
    OperatorType,
    TargetGroup,
    WelfareAssociation,
)
from belegung.http.forms import IdempotentForm, PageForm, options
from belegung.limits import (
    ADDRESS_MAX,
    FACILITY_NAME_MAX,
    OUT_OF_SERVICE_REASON_MAX,
    PLACE_LABEL_MAX,
    SLUG_MAX,
    UNIT_LABEL_MAX,
)

REQUIRED = texts.FORMS["required"]


class FacilityForm(PageForm):
    name = StringField(
        texts.ADMIN["name"], validators=[DataRequired(REQUIRED), Length(max=FACILITY_NAME_MAX)]
    )
    kind = SelectField(
        texts.ADMIN["kind"],
        choices=options((k.value, texts.FACILITY_KINDS[k.value]) for k in FacilityKind),
    )
    target_group = SelectField(
        texts.ADMIN["target_group"],
        choices=options((t.value, texts.TARGET_GROUPS[t.value]) for t in TargetGroup),
    )
    status = SelectField(
        texts.ADMIN["status"],
        choices=options((s.value, texts.FACILITY_STATUSES[s.value]) for s in FacilityStatus),
    )
    address = StringField(texts.ADMIN["address"], validators=[Optional(), Length(max=ADDRESS_MAX)])
    operator_name = StringField(
        texts.ADMIN["operator_name"], validators=[Optional(), Length(max=FACILITY_NAME_MAX)]
    )
    operator_type = SelectField(
        texts.ADMIN["operator_type"],
        choices=options((o.value, texts.OPERATOR_TYPES[o.value]) for o in OperatorType),
    )
    welfare_association = SelectField(
        texts.ADMIN["welfare_association"],
        choices=options(
            [("", texts.ADMIN["none"])]
            + [(w.value, texts.WELFARE_ASSOCIATIONS[w.value]) for w in WelfareAssociation]
        ),
    )

    def fields_for_service(self) -> dict[str, object]:
        return {
            "name": self.name.data,
            "kind": FacilityKind(self.kind.data),
            "target_group": TargetGroup(self.target_group.data),
            "status": FacilityStatus(self.status.data),
            "address": self.address.data or None,
            "operator_name": self.operator_name.data or None,
            "operator_type": OperatorType(self.operator_type.data),
            "welfare_association": WelfareAssociation(self.welfare_association.data)
            if self.welfare_association.data
            else None,
        }


class NewFacilityForm(FacilityForm):
    slug = StringField(
        texts.ADMIN["slug"],
        validators=[DataRequired(REQUIRED), Length(max=SLUG_MAX)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class PlaceForm(IdempotentForm):
    label = StringField(
        texts.ADMIN["place_label"], validators=[DataRequired(REQUIRED), Length(max=PLACE_LABEL_MAX)]
    )
    unit = StringField(
        texts.ADMIN["place_unit"], validators=[Optional(), Length(max=UNIT_LABEL_MAX)]
    )
    emergency = BooleanField(texts.ADMIN["place_emergency"])


class OutOfServiceForm(IdempotentForm):
    place = SelectField(texts.ADMIN["out_of_service_place"], choices=[])
    reason = StringField(
        texts.ADMIN["out_of_service_reason"],
        validators=[DataRequired(REQUIRED), Length(max=OUT_OF_SERVICE_REASON_MAX)],
    )
    first_night = DateField(texts.ADMIN["out_of_service_from"], validators=[Optional()])
    end_night = DateField(texts.ADMIN["out_of_service_to"], validators=[Optional()])


class ActionForm(PageForm):
    """A button that changes something: the CSRF token."""
