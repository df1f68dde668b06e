from datetime import date

import pytest

from corrections.people import idnumber

VALID_FEMALE = "11010519491231002X"  # the GB 11643 example: check digit X, 17th digit even
VALID_MALE = "33010619900101123X"
UNKNOWN_AREA = "999999199001011238"
LEAP_DAY = "330726200002290019"


def test_standard_example_parses(app):
    info = idnumber.parse(VALID_FEMALE)
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "female"
    assert info.area_known


def test_male_from_odd_17th_digit(app):
    info = idnumber.parse(VALID_MALE)
    assert info.sex == "male"
    assert info.birth_date == date(1990, 1, 1)


def test_lowercase_x_and_spaces_are_normalised(app):
    assert idnumber.parse(" 11010519491231002x ").number == VALID_FEMALE


def test_wrong_check_digit_is_refused(app):
    with pytest.raises(idnumber.InvalidIdNumber) as e:
        idnumber.parse("110105194912310021")
    assert "校验位" in str(e.value.message)


@pytest.mark.parametrize("raw", ["1101051949123100", "1101051949123100211", ""])
def test_wrong_length_is_refused(app, raw):
    with pytest.raises(idnumber.InvalidIdNumber) as e:
        idnumber.parse(raw)
    assert "18位" in str(e.value.message)


def test_letters_inside_are_refused(app):
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.parse("1101051949123A002X")


def test_impossible_birth_date_is_refused(app):
    # 1990-02-30 does not exist; build a number with a valid check digit around it
    body = "33010619900230123"
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(idnumber.InvalidIdNumber) as e:
        idnumber.parse(number)
    assert "出生日期" in str(e.value.message)


def test_leap_day_birth_is_accepted(app):
    assert idnumber.parse(LEAP_DAY).birth_date == date(2000, 2, 29)


def test_non_leap_year_feb_29_is_refused(app):
    from stdnum.cn import ric

    body = "33072620010229001"
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.parse(body + ric.calc_check_digit(body + "0"))


def test_birth_in_the_future_is_refused(app):
    from stdnum.cn import ric

    body = "33010620300101123"
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.parse(body + ric.calc_check_digit(body + "0"), today=date(2026, 11, 25))


def test_unknown_area_code_is_a_notice_not_a_refusal(app):
    info = idnumber.parse(UNKNOWN_AREA)
    assert not info.area_known
    with app.test_request_context():
        assert "999999" in str(info.notice)


def test_mask_keeps_prefix_and_last_four():
    assert idnumber.mask("33010619900101123X") == "3301**********123X"
    assert idnumber.mask(None) == ""


def test_make_fictional_is_valid(app):
    number = idnumber.make_fictional("330726", date(1985, 6, 7), 901)
    assert idnumber.parse(number).sex == "male"


def test_a_current_code_created_after_the_birth_year_is_no_notice(app):
    """Given 330726 (浦江县, in the table from 1985) on an ID of someone born in 1980, when it
    is parsed, then the area is known: the notice is only for codes no edition lists."""
    number = idnumber.make_fictional("330726", date(1980, 3, 4), 17)
    info = idnumber.parse(number)
    assert info.area_known and info.area_name == "浦江县"
    assert info.notice is None


def test_a_renamed_code_is_named_as_it_was_in_the_birth_year():
    assert idnumber.area_name_of("330206", 1986) == "滨海区"
    assert idnumber.area_name_of("330206", 1987) == "北仑区"
    assert idnumber.area_name_of("330206", 1980) == "北仑区"  # before any edition: latest name
    assert idnumber.area_name_of("999999", 1990) is None
