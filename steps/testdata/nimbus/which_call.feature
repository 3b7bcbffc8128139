Feature: Steps that leave open which of several calls they mean
  Each scenario fails on purpose; the test reads the failure text.

  Background:
    Given it is 09:00
    And bob is signed in to Teams on desktop
    And carol is signed in to Teams on desktop
    And a Nimbus service "Support" with the agents bob and carol
    And the service "Support" has a ring time of 5 minutes

  Scenario: Two calls ringing, the step says "the call"
    When 2 calls arrive at "Support"
    Then Nimbus offers the call to bob

  Scenario: The second call goes to carol, the step says bob
    When 2 calls arrive at "Support"
    Then Nimbus offers the second call to bob

  Scenario: A call that has not arrived
    When a call arrives at "Support"
    Then Nimbus offers the third call to bob

  Scenario: The count is off
    When 2 calls arrive at "Support"
    Then Nimbus has offered 3 calls
