"""The stations JSON API: coverage of a point, station search, a station's engineers."""
from flask_login import current_user
from flask_smorest import Blueprint

from accounts.access import allow, public
from dispatch.coverage import Point
from dispatch.schemas import (
    CoverageSchema,
    PointQuerySchema,
    StaffEngineerSchema,
    StationSchema,
    StationSearchQuerySchema,
)
from dispatch.stations import managed_station, search_stations, station_engineers, stations_covering

blp = Blueprint("stations_api", __name__, url_prefix="/api/stations",
                description="Service stations and the area they cover")


def with_distance(pair):
    station, km = pair
    return {**StationSchema().dump(station), "distance_km": round(km, 3)}


@blp.route("/covering")
@public
@blp.arguments(PointQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def covering(point):
    """Stations whose radius covers the point, nearest first, and the nearest station."""
    coverage = stations_covering(Point(point["lat"], point["lng"]))
    return {"stations": [with_distance(pair) for pair in coverage.stations],
            "nearest": with_distance(coverage.nearest) if coverage.nearest else None}


@blp.route("")
@public
@blp.arguments(StationSearchQuerySchema, location="query")
@blp.response(200, StationSchema(many=True))
def stations(args):
    """Stations by name, county, city or province (all of them for the map)."""
    return search_stations(args["q"], args["limit"])


@blp.route("/<code>/engineers")
@allow("manager")
@blp.response(200, StaffEngineerSchema(many=True))
def station_engineers_api(code):
    """A station's engineers with staff contact details: for that station's manager."""
    return station_engineers(managed_station(code, current_user))
