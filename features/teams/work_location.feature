Feature: Work location
  Teams keeps three layers of a user's work location: the schedule of the
  calendar's working hours and location, what a client or agent detects,
  and what the user sets by hand. Manual wins over automatic, automatic
  over scheduled; inside a layer the more precise signal wins. The work
  location is part of the presence object, beside availability and
  activity, which it leaves as they are (RULEBOOK G-LOC-1).

  Background:
    Given alice is signed in to Teams on desktop

  @G-LOC-1
  Scenario: Manual beats automatic beats scheduled, and clearing falls back layer by layer
    Given alice works from the office on weekdays from 09:00 to 17:00
    When it is 08:59
    Then alice's work location is unspecified
    When it is 09:00
    Then alice's work location is office, from her working hours
    When alice's work location is detected as remote
    Then alice's work location is remote, detected automatically
    When alice sets her work location to office at "building 4"
    Then alice's work location is office at "building 4", set manually
    When alice's work location is detected as timeOff
    Then alice's work location is office at "building 4", set manually
    When alice's detected work location is cleared
    Then alice's work location is office at "building 4", set manually
    When alice's work location is detected as remote
    And alice clears her work location
    Then alice's work location is office, from her working hours
    When it is 17:00
    Then alice's work location is unspecified

  @G-LOC-1
  Scenario: Inside the automatic layer the more precise signal wins, between equals the newer
    When it is 09:00
    And alice's work location is detected as office
    Then alice's work location is office, detected automatically
    When it is 09:05
    And alice's work location is detected as office at "building 4" by "docking station"
    Then alice's work location is office at "building 4", detected automatically
    When it is 09:10
    And alice's work location is detected as remote
    Then alice's work location is office at "building 4", detected automatically
    When it is 09:15
    And alice's work location is detected as remote by "docking station"
    Then alice's work location is remote, detected automatically

  @G-LOC-1
  Scenario: Overlapping working hours: the more precise location wins
    Given alice works from the office on Monday to Friday 09:00–17:00
    And alice works from the office at "building 4" on Mondays 09:00–12:00
    When it is 10:00
    Then alice's work location is office at "building 4", from her working hours
    When it is 12:00
    Then alice's work location is office, from her working hours

  @G-LOC-1
  Scenario: Working hours name a location per day of the week
    Given alice works from the office on Monday to Thursday 09:00–17:00
    And alice works remotely on Fridays 08:00–16:00
    When it is day 4 16:59
    Then alice's work location is office, from her working hours
    When it is day 5 08:00
    Then alice's work location is remote, from her working hours
    When it is day 6 10:00
    Then alice's work location is unspecified
    When it is day 8 09:00
    Then alice's work location is office, from her working hours

  @G-LOC-1
  Scenario: A manual location set outside the working hours stays when they begin
    Given alice works from the office on weekdays 09:00–17:00
    When it is 08:00
    And alice sets her work location to remote
    And it is 09:00
    Then alice's work location is remote, set manually
    When alice sets her work location to unspecified
    Then alice's work location is unspecified, set manually
