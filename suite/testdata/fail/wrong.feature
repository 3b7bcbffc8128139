@T-CAL-1
Feature: A run that fails on purpose
  The report must show what was expected, what the model derived and why.

  Scenario: An expectation the model does not meet
    Given the users alice
    And alice is signed in to Teams on desktop
    And alice has a meeting from 10:00 to 11:00
    When it is 10:00
    Then alice's presence is Available
    And alice is not shown as out of office

  Scenario: A step nobody defined
    Given the users alice
    When alice juggles three phones
    Then alice's presence is Offline
