// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title CivilDate
/// @notice Proleptic Gregorian dates as zkcred's circuit sees them: `YYYYMMDD` integers, and
/// the relative dates of a policy (`today±Ny`, `today±Nm`, `today±Nd`) resolved exactly as
/// `zkcred_core::date::resolve` resolves them.
library CivilDate {
    /// @notice A relative date resolved outside the years 1..9999.
    error DateOutOfRange();

    /// @notice Days since 1970-01-01 of the date `y-m-d`.
    function toDays(int256 y, int256 m, int256 d) internal pure returns (int256) {
        y -= m <= 2 ? int256(1) : int256(0);
        int256 era = (y >= 0 ? y : y - 399) / 400;
        int256 yoe = y - era * 400;
        int256 mp = m > 2 ? m - 3 : m + 9;
        int256 doy = (153 * mp + 2) / 5 + d - 1;
        int256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /// @notice The date `days` days after 1970-01-01, as `(year, month, day)`.
    /// @dev `days_` is at most 2^63 in magnitude (a day count of a timestamp or of a resolved
    /// date), so no step can overflow and the arithmetic is unchecked.
    function fromDays(int256 days_) internal pure returns (int256 y, int256 m, int256 d) {
        unchecked {
            int256 z = days_ + 719468;
            int256 era = (z >= 0 ? z : z - 146096) / 146097;
            int256 doe = z - era * 146097;
            int256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            int256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            int256 mp = (5 * doy + 2) / 153;
            d = doy - (153 * mp + 2) / 5 + 1;
            m = mp < 10 ? mp + 3 : mp - 9;
            y = yoe + era * 400 + (m <= 2 ? int256(1) : int256(0));
        }
    }

    /// @notice The `YYYYMMDD` integer of the date `days` days after 1970-01-01.
    function yyyymmdd(int256 days_) internal pure returns (uint256) {
        (int256 y, int256 m, int256 d) = fromDays(days_);
        if (y < 1 || y > 9999) {
            revert DateOutOfRange();
        }
        return uint256(y * 10000 + m * 100 + d);
    }

    /// @notice Resolves `today+n` in `unit` (0: days, 1: months keeping the day number, 2:
    /// years keeping month and day) on the day `today` (days since 1970-01-01), as a
    /// `YYYYMMDD` integer in 10000..=99991231.
    function resolve(int256 today, uint256 unit, int256 n) internal pure returns (uint256) {
        int256 v;
        if (unit == 0) {
            return yyyymmdd(today + n);
        }
        (int256 y, int256 m, int256 d) = fromDays(today);
        if (unit == 1) {
            int256 months = y * 12 + (m - 1) + n;
            int256 q = months >= 0 ? months / 12 : (months - 11) / 12;
            v = q * 10000 + (months - q * 12 + 1) * 100 + d;
        } else {
            v = (y + n) * 10000 + m * 100 + d;
        }
        if (v < 10000 || v > 99991231) {
            revert DateOutOfRange();
        }
        return uint256(v);
    }
}
