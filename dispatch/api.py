"""The stations JSON API: coverage of a point, station search, a station's engineers."""
from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint

from accounts.access import allow, public
from dispatch.coverage import Point
from dispatch.geocode import NOT_FOUND, geocode
from dispatch.schemas import (
    CoverageSchema,
    GeocodeQuerySchema,
    GeoPointSchema,
    PointQuerySchema,
    StaffEngineerSchema,
    StationSchema,
    StationSearchQuerySchema,
)
from dispatch.stations import managed_station, search_stations, station_engineers, stations_covering

blp = Blueprint("stations_api", __name__, url_prefix="/api/stations",
                description="Service stations and the area they cover")
geocode_blp = Blueprint("geocode_api", __name__, url_prefix="/api/geocode",
                        description="Addresses as people write them, turned into a point")


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
@blp.etag
@blp.arguments(StationSearchQuerySchema, location="query")
@blp.response(200, StationSchema(many=True))
@blp.alt_response(304, description="Not modified: the copy the caller has (If-None-Match) is current")
def stations(args):
    """Stations by name, county, city or province (all of them for the map). The same for
    everyone: cacheable for ten minutes, with an ETag to revalidate, compressed."""
    return search_stations(args["q"], args["limit"])


@blp.after_request
def public_station_layer(response):
    """The station list is public data: a browser may keep it whoever is signed in."""
    if request.endpoint == "stations_api.stations" and response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = 600
    return response


@blp.route("/<code>/engineers")
@allow("manager")
@blp.response(200, StaffEngineerSchema(many=True))
def station_engineers_api(code):
    """A station's engineers with staff contact details: for that station's manager."""
    return station_engineers(managed_station(code, current_user))


@geocode_blp.route("")
@public
@geocode_blp.arguments(GeocodeQuerySchema, location="query")
@geocode_blp.response(200, GeoPointSchema)
@geocode_blp.alt_response(404, description="Nothing matches the address")
def geocode_address(args):
    """The point an address names: the door where a provider is configured, else the county
    the offline gazetteer recognises (`precision` says which; pages then ask for a pin)."""
    found = geocode(args["q"])
    if found is None:
        abort(404, description=str(NOT_FOUND))
    return found
