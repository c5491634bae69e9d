"""What goes in and out of the stations API."""
from marshmallow import Schema, fields, validate

LAT = validate.Range(min=-90, max=90, error="Latitude must be between -90 and 90.")
LNG = validate.Range(min=-180, max=180, error="Longitude must be between -180 and 180.")


class PointQuerySchema(Schema):
    lat = fields.Float(required=True, validate=LAT, allow_nan=False)
    lng = fields.Float(required=True, validate=LNG, allow_nan=False)


class StationSearchQuerySchema(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=40))
    limit = fields.Integer(load_default=5000, validate=validate.Range(min=1, max=5000))


class StationSchema(Schema):
    code = fields.String()
    name = fields.String()
    province = fields.String()
    city = fields.String()
    county = fields.String()
    lat = fields.Float()
    lng = fields.Float()
    coverage_km = fields.Float()


class StationDistanceSchema(StationSchema):
    distance_km = fields.Float(metadata={"description": "geodesic distance, km"})


class CoverageSchema(Schema):
    stations = fields.List(fields.Nested(StationDistanceSchema),
                           metadata={"description": "stations covering the point, nearest first"})
    nearest = fields.Nested(StationDistanceSchema, allow_none=True,
                            metadata={"description": "the nearest station, covering or not"})


class SkillSchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class StaffEngineerSchema(Schema):
    """An engineer as their station sees them, with staff contact details."""

    id = fields.Integer()
    display_name = fields.String()
    email = fields.String(attribute="user.email")
    phone = fields.String(attribute="user.phone", allow_none=True)
    started_on = fields.Date()
    skills = fields.List(fields.Nested(SkillSchema))
